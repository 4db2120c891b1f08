"""A recording's peaks pyramid as the workspace keeps it: plain in a local workspace, sealed in a synced one.

The pyramid is the recording's loudness envelope, min and max every 256 samples: enough to tell speech from silence
and who talks when. A synced workspace keeps annotation payloads and media encrypted at rest (a lost laptop must not
reveal them), so it seals the pyramid too, with the workspace key (the codec's sealed blobs), bound to the content
hash: a row copied under another recording's hash does not open. The row's sample rate, channel and sample counts
stay plain (the task's `frames` already tells the length) so `stats` sums hours in SQL.
"""

from __future__ import annotations

import sqlite3

from sync.database import WorkspaceError
from sync.records import PayloadCodec


def _what(content_hash: str) -> str:
    return f"audio_peaks:{content_hash}"


def seal_peaks(codec: PayloadCodec | None, content_hash: str, data: bytes) -> bytes:
    """The bytes to store for a pyramid (`core.audio.PeaksPyramid.to_bytes`): as they are without a codec."""
    return data if codec is None else codec.seal(_what(content_hash), data)


def open_peaks(codec: PayloadCodec | None, content_hash: str, stored: bytes) -> bytes | None:
    """The pyramid's bytes from a stored row; None when a sealed row does not open (damaged, or stored plain by a
    version before sealing): a cache, so the caller builds it again from the media."""
    if codec is None:
        return stored
    try:
        return codec.open(_what(content_hash), stored)
    except WorkspaceError:
        return None


def copy_peaks(conn: sqlite3.Connection, codec: PayloadCodec | None, source_hash: str, target_hash: str) -> None:
    """Keep the pyramid stored under `source_hash` under `target_hash` too, resealed for it (a field recording once
    registered: its synced task's content hash is the media's SHA-256); nothing when there is none."""
    row = conn.execute("SELECT sample_rate, channels, samples, data FROM audio_peaks WHERE content_hash = ?",
                       (source_hash,)).fetchone()
    data = open_peaks(codec, source_hash, bytes(row[3])) if row else None
    if row is None or data is None:
        return
    conn.execute("INSERT OR IGNORE INTO audio_peaks (content_hash, sample_rate, channels, samples, data) VALUES "
                 "(?, ?, ?, ?, ?)", (target_hash, *row[:3], seal_peaks(codec, target_hash, data)))

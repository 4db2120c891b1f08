"""Server settings: one frozen object built by the CLI or by tests, passed to the app and the store."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

MiB = 1024 * 1024


def default_data_dir() -> Path:
    """ANNODESK_SERVER_DATA, or the per-user data folder: the server works with no set-up."""
    env = os.environ.get("ANNODESK_SERVER_DATA")
    return Path(env) if env else Path(platformdirs.user_data_dir("annodesk")) / "server"


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def default_metrics_token() -> str | None:
    """ANNODESK_METRICS_TOKEN: an environment variable, not a flag, so the token is not visible in `ps`."""
    return os.environ.get("ANNODESK_METRICS_TOKEN") or None


@dataclass(frozen=True)
class ServerConfig:
    """Where data lives and the limits the server enforces (the defaults suit a real deployment)."""

    data_dir: Path = field(default_factory=default_data_dir)
    db_url: str | None = None  # None: SQLite file in data_dir
    token_ttl_s: int = 14 * 24 * 3600  # field workers may be offline for days
    max_json_body: int = 1 * MiB
    max_push_body: int = 4 * MiB
    max_media_chunk: int = 16 * MiB
    login_max_failures: int = 5  # per username + IP within login_window_s
    login_window_s: int = 300
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    pull_max_limit: int = 5000
    # /metrics is served only with a token, and answers only `Authorization: Bearer <token>` (docs/deploy.md)
    metrics_token: str | None = field(default_factory=default_metrics_token, repr=False)
    # media in S3-compatible storage (docs/deploy.md "Media in object storage"); None: the blob folder in data_dir
    media: str | None = field(default_factory=lambda: _env("ANNODESK_MEDIA"))  # s3://bucket/prefix
    s3_endpoint: str | None = field(default_factory=lambda: _env("ANNODESK_S3_ENDPOINT"))  # MinIO, Ceph RGW...
    media_download: str = "server"  # "server": streamed by the server; "presigned": a 307 to a short-lived URL
    presign_ttl_s: int = 300
    seal_media: bool = False  # AES-GCM at rest in the bucket with a server-held key (sync/server/media_seal.py)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL; a plain postgresql:// URL gets the psycopg (v3) driver we ship."""
        url = self.db_url or f"sqlite:///{self.data_dir / 'server.db'}"
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+psycopg://" + url[len(plain):]
        return url

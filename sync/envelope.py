"""Sealed sync batches (protocol v1): compressed, encrypted to the server's key, signed by the device.

Both the client (seal) and the server (open_envelope) import this module, so the wire format lives in one place.
Layout: b"ADB1" | u32 big-endian header length | canonical header JSON | 64-byte Ed25519 signature | ciphertext.
The header is the AEAD associated data and is covered by the signature, so no byte of a batch can change unnoticed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import struct
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import zstandard
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sync import fastjson

MAGIC = b"ADB1"
VERSION = 1
SIGNATURE_SIZE = 64
MAX_ENVELOPE_BYTES = 4 * 1024 * 1024
MAX_HEADER_BYTES = 8 * 1024
MAX_PLAINTEXT_BYTES = 16 * 1024 * 1024
MAX_OPS = 1000
WRAP_INFO = b"annodesk-wrap-v1"

ENTITIES = ("annotation", "task", "review", "comment", "time")
OP_KINDS = ("upsert", "delete", "status", "decide", "add")
HEADER_FIELDS = {
    "v": int, "schema_version": int, "client_id": str, "device_key_id": str, "batch_id": str, "first_op": int,
    "last_op": int, "op_count": int, "prev_batch_hash": str, "recipient_key_id": str, "ephemeral_public_key": str,
    "wrapped_key": str, "nonce": str,
}
OP_FIELDS = {
    "op_id": int, "txn": int, "entity": str, "entity_id": str, "task_id": int, "op": str, "base_revision": int,
    "fields": dict, "author": str,
}
_OP_KEYS = OP_FIELDS.keys()
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_HASH = re.compile(r"[0-9a-f]{64}")
_BATCH_ID = re.compile(r"[0-9a-f]{32}")


class EnvelopeError(Exception):
    """A batch that must be refused; `code` is one of the protocol's error codes, `message` says what was wrong."""

    CODES = ("malformed", "unknown_recipient", "unknown_device", "revoked_device", "bad_signature",
             "decrypt_failed", "too_large", "inconsistent")

    def __init__(self, code: str, message: str) -> None:
        assert code in self.CODES, code
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class DeviceKey:
    """What the server knows of a device: its Ed25519 public key (raw 32 bytes), its client and whether revoked."""

    public_key: bytes
    client_id: str
    revoked: bool = False


DeviceLookup = Callable[[str], DeviceKey | None]


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str, size: int | None = None, what: str = "value") -> bytes:
    """Strict base64 decoding; `size` checks the decoded length. Raises EnvelopeError('malformed')."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise EnvelopeError("malformed", f"{what} is not base64") from exc
    if size is not None and len(data) != size:
        raise EnvelopeError("malformed", f"{what} must be {size} bytes, got {len(data)}")
    return data


def raw_public(key: X25519PrivateKey | X25519PublicKey | Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32 public bytes of a key pair or public key."""
    pub = key.public_key() if isinstance(key, X25519PrivateKey | Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: bytes) -> str:
    """Protocol key id: the first 16 hex digits of sha256(raw public key)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def batch_hash(sealed: bytes) -> str:
    """Hex sha256 of a sealed batch; the next batch of the same client names it as prev_batch_hash."""
    return hashlib.sha256(sealed).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")


def seal(
    ops: Sequence[Mapping[str, Any]],
    *,
    client_id: str,
    device_key: Ed25519PrivateKey,
    server_public_key: bytes,
    schema_version: int,
    prev_batch_hash: str = "",
    batch_id: str | None = None,
) -> bytes:
    """Seal ops into envelope bytes for the server whose raw X25519 public key is given.

    The ops are checked with the same rules the server applies, so a client bug shows up here and not as a refusal.
    """
    op_list = [dict(op) for op in ops]
    _check_ops(op_list)
    data_key = ChaCha20Poly1305.generate_key()
    nonce = os.urandom(12)
    batch_id = batch_id or uuid.uuid4().hex
    eph = X25519PrivateKey.generate()
    eph_pub = raw_public(eph)
    kek = _kek(eph.exchange(X25519PublicKey.from_public_bytes(server_public_key)), eph_pub, server_public_key)
    header = {
        "v": VERSION, "schema_version": schema_version, "client_id": client_id,
        "device_key_id": key_id(raw_public(device_key)), "batch_id": batch_id,
        "first_op": op_list[0]["op_id"], "last_op": op_list[-1]["op_id"], "op_count": len(op_list),
        "prev_batch_hash": prev_batch_hash, "recipient_key_id": key_id(server_public_key),
        "ephemeral_public_key": b64e(eph_pub),
        "wrapped_key": b64e(ChaCha20Poly1305(kek).encrypt(b"\0" * 12, data_key, batch_id.encode())),
        "nonce": b64e(nonce),
    }
    _check_header(header)
    header_bytes = canonical_json(header)
    plaintext = fastjson.dumps(op_list)
    if len(plaintext) > MAX_PLAINTEXT_BYTES:
        raise EnvelopeError("too_large", f"ops take {len(plaintext)} bytes, limit {MAX_PLAINTEXT_BYTES}")
    ciphertext = ChaCha20Poly1305(data_key).encrypt(nonce, zstandard.ZstdCompressor(level=3).compress(plaintext),
                                                    header_bytes)
    signature = device_key.sign(header_bytes + ciphertext)
    sealed = MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes + signature + ciphertext
    if len(sealed) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError("too_large", f"sealed batch is {len(sealed)} bytes, limit {MAX_ENVELOPE_BYTES}")
    return sealed


def read_header(data: bytes) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """Split envelope bytes and check the header's shape (nothing verified yet): header, its bytes, signature, ct."""
    if len(data) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError("too_large", f"batch is {len(data)} bytes, limit {MAX_ENVELOPE_BYTES}")
    if len(data) < 8 or data[:4] != MAGIC:
        raise EnvelopeError("malformed", "not an Annodesk batch (bad magic)")
    (header_len,) = struct.unpack(">I", data[4:8])
    if header_len > MAX_HEADER_BYTES:
        raise EnvelopeError("malformed", f"header length {header_len} exceeds {MAX_HEADER_BYTES}")
    if len(data) < 8 + header_len + SIGNATURE_SIZE + 16:
        raise EnvelopeError("malformed", "batch is truncated")
    header_bytes = data[8:8 + header_len]
    try:
        header = json.loads(header_bytes)
    except (UnicodeDecodeError, ValueError) as exc:
        raise EnvelopeError("malformed", "header is not JSON") from exc
    if not isinstance(header, dict):
        raise EnvelopeError("malformed", "header is not a JSON object")
    _check_header(header)
    if canonical_json(header) != header_bytes:
        raise EnvelopeError("malformed", "header is not canonical JSON")
    signature = data[8 + header_len:8 + header_len + SIGNATURE_SIZE]
    return header, header_bytes, signature, data[8 + header_len + SIGNATURE_SIZE:]


def open_envelope(
    data: bytes,
    *,
    server_keys: Mapping[str, X25519PrivateKey],
    device_lookup: DeviceLookup,
    max_plaintext: int = MAX_PLAINTEXT_BYTES,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Verify and decrypt a batch; returns (header, ops). Every failure raises EnvelopeError with its code.

    `server_keys` maps key id -> X25519 private key (more than one while keys are rotated).
    """
    header, header_bytes, signature, ciphertext = read_header(data)
    server_key = server_keys.get(header["recipient_key_id"])
    if server_key is None:
        raise EnvelopeError("unknown_recipient", f"batch is sealed for key {header['recipient_key_id']}")
    device = device_lookup(header["device_key_id"])
    if device is not None and device.revoked:  # first: a revoked key whose client a new key continues stays revoked
        raise EnvelopeError("revoked_device", f"device key {header['device_key_id']} is revoked")
    if device is None or device.client_id != header["client_id"]:
        raise EnvelopeError("unknown_device", f"device key {header['device_key_id']} is not registered")
    try:
        Ed25519PublicKey.from_public_bytes(device.public_key).verify(signature, header_bytes + ciphertext)
    except InvalidSignature as exc:
        raise EnvelopeError("bad_signature", "device signature does not match the batch") from exc
    eph_pub = b64d(header["ephemeral_public_key"], 32, "ephemeral_public_key")
    server_pub = raw_public(server_key)
    try:
        kek = _kek(server_key.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub, server_pub)
        data_key = ChaCha20Poly1305(kek).decrypt(b"\0" * 12, b64d(header["wrapped_key"], 48, "wrapped_key"),
                                                 header["batch_id"].encode())
        compressed = ChaCha20Poly1305(data_key).decrypt(b64d(header["nonce"], 12, "nonce"), ciphertext, header_bytes)
    except (InvalidTag, ValueError) as exc:
        raise EnvelopeError("decrypt_failed", "batch does not decrypt with the server key") from exc
    plaintext = _decompress(compressed, max_plaintext)
    try:
        ops = fastjson.loads(plaintext)
    except fastjson.JSONDecodeError as exc:
        raise EnvelopeError("malformed", "ops are not JSON") from exc
    _check_ops(ops)
    if (header["op_count"], header["first_op"], header["last_op"]) != (len(ops), ops[0]["op_id"], ops[-1]["op_id"]):
        raise EnvelopeError("inconsistent", "op_count/first_op/last_op do not match the ops")
    return header, ops


def _kek(shared: bytes, eph_pub: bytes, server_pub: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=WRAP_INFO + eph_pub + server_pub).derive(shared)


def _decompress(data: bytes, limit: int) -> bytes:
    """zstd with a hard output cap, so a small batch cannot expand into gigabytes."""
    out = bytearray()
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            while chunk := reader.read(1 << 20):
                out += chunk
                if len(out) > limit:
                    raise EnvelopeError("too_large", f"ops expand beyond {limit} bytes")
    except zstandard.ZstdError as exc:
        raise EnvelopeError("malformed", f"ops do not decompress: {exc}") from exc
    return bytes(out)


def _check_types(obj: Mapping[str, Any], spec: Mapping[str, type], where: str) -> None:
    if set(obj) != set(spec):
        missing, extra = sorted(set(spec) - set(obj)), sorted(set(obj) - set(spec))
        raise EnvelopeError("malformed", f"{where}: missing fields {missing}, unknown fields {extra}")
    for name, kind in spec.items():
        value = obj[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise EnvelopeError("malformed", f"{where}: field {name!r} must be {kind.__name__}")


def _check_header(header: Mapping[str, Any]) -> None:
    _check_types(header, HEADER_FIELDS, "header")
    if header["v"] != VERSION:
        raise EnvelopeError("malformed", f"header: protocol version {header['v']} is not {VERSION}")
    for name, pattern in (("device_key_id", _KEY_ID), ("recipient_key_id", _KEY_ID), ("batch_id", _BATCH_ID)):
        if not pattern.fullmatch(header[name]):
            raise EnvelopeError("malformed", f"header: {name} has the wrong format")
    if header["prev_batch_hash"] and not _HASH.fullmatch(header["prev_batch_hash"]):
        raise EnvelopeError("malformed", "header: prev_batch_hash has the wrong format")
    if not 0 < len(header["client_id"]) <= 128:
        raise EnvelopeError("malformed", "header: client_id must be 1-128 characters")
    if not 0 < header["op_count"] <= MAX_OPS:
        raise EnvelopeError("too_large" if header["op_count"] > MAX_OPS else "malformed",
                            f"header: op_count {header['op_count']} outside 1..{MAX_OPS}")


def _op_is_valid(op: Any) -> bool:
    """The common case in one expression (type(x) is int also refuses bools); _check_ops explains failures."""
    return (type(op) is dict and op.keys() == _OP_KEYS and type(op["op_id"]) is int and op["op_id"] >= 1
            and type(op["txn"]) is int and type(op["task_id"]) is int and type(op["base_revision"]) is int
            and op["base_revision"] >= 0 and type(op["entity_id"]) is str and type(op["author"]) is str
            and type(op["fields"]) is dict and op["entity"] in ENTITIES and op["op"] in OP_KINDS)


def _check_ops(ops: Any) -> None:
    if not isinstance(ops, list) or not ops:
        raise EnvelopeError("malformed", "ops must be a non-empty list")
    if len(ops) > MAX_OPS:
        raise EnvelopeError("too_large", f"{len(ops)} ops, at most {MAX_OPS} per batch")
    previous = 0
    for index, op in enumerate(ops):
        if not _op_is_valid(op):
            _explain_op(op, f"op {index}")
        if op["op_id"] <= previous:
            raise EnvelopeError("inconsistent", f"op {index}: op_id {op['op_id']} does not increase")
        previous = op["op_id"]


def _explain_op(op: Any, where: str) -> None:
    if not isinstance(op, dict):
        raise EnvelopeError("malformed", f"{where}: not an object")
    _check_types(op, OP_FIELDS, where)
    if op["entity"] not in ENTITIES or op["op"] not in OP_KINDS:
        raise EnvelopeError("malformed", f"{where}: unknown entity {op['entity']!r} or op {op['op']!r}")
    raise EnvelopeError("malformed", f"{where}: op_id must be >= 1 and base_revision >= 0")

"""Sealed batches: a round trip works, and every kind of damage or misuse is refused with its own error code."""

import json
import struct

import pytest
import zstandard
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync.envelope import (
    MAX_ENVELOPE_BYTES,
    WRAP_INFO,
    DeviceKey,
    EnvelopeError,
    b64d,
    batch_hash,
    canonical_json,
    key_id,
    open_envelope,
    raw_public,
    read_header,
    seal,
)


def make_op(op_id, **over):
    op = {"op_id": op_id, "txn": op_id, "entity": "annotation", "entity_id": f"a{op_id}", "task_id": 1,
          "op": "upsert", "base_revision": 0, "fields": {"label": "car", "geometry": [1, 2, 3, 4]}, "author": "ann"}
    op.update(over)
    return op


class Keys:
    def __init__(self):
        self.server = X25519PrivateKey.generate()
        self.device = Ed25519PrivateKey.generate()
        self.device_id = key_id(raw_public(self.device))
        self.revoked = False

    @property
    def server_keys(self):
        return {key_id(raw_public(self.server)): self.server}

    def lookup(self, kid):
        if kid != self.device_id:
            return None
        return DeviceKey(raw_public(self.device), "client-a", self.revoked)

    def seal(self, ops, **kw):
        args = {"client_id": "client-a", "device_key": self.device, "server_public_key": raw_public(self.server),
                "schema_version": 3}
        args.update(kw)
        return seal(ops, **args)

    def open(self, data, **kw):
        return open_envelope(data, server_keys=self.server_keys, device_lookup=self.lookup, **kw)


@pytest.fixture
def keys():
    return Keys()


def code_of(fn, *args, **kw):
    with pytest.raises(EnvelopeError) as info:
        fn(*args, **kw)
    return info.value.code


def test_round_trip_keeps_ops_and_header(keys):
    ops = [make_op(i) for i in range(5, 15)]
    sealed = keys.seal(ops, prev_batch_hash="ab" * 32)
    header, opened = keys.open(sealed)
    assert opened == ops
    assert header["client_id"] == "client-a" and header["schema_version"] == 3
    assert (header["first_op"], header["last_op"], header["op_count"]) == (5, 14, 10)
    assert header["prev_batch_hash"] == "ab" * 32
    assert header["device_key_id"] == keys.device_id
    assert len(header["batch_id"]) == 32


def test_ciphertext_hides_the_ops(keys):
    sealed = keys.seal([make_op(1, fields={"label": "secret-label-xyz"})])
    assert b"secret-label-xyz" not in sealed and b"car" not in sealed


def test_each_seal_uses_a_fresh_key_and_nonce(keys):
    ops = [make_op(1)]
    a, b = keys.seal(ops, batch_id="0" * 32), keys.seal(ops, batch_id="0" * 32)
    ha, hb = read_header(a)[0], read_header(b)[0]
    assert ha["wrapped_key"] != hb["wrapped_key"] and ha["nonce"] != hb["nonce"]
    assert batch_hash(a) != batch_hash(b)


@pytest.mark.parametrize("position", ["magic", "header", "signature", "ciphertext", "tail"])
def test_any_flipped_bit_is_refused(keys, position):
    sealed = bytearray(keys.seal([make_op(1), make_op(2)]))
    header_len = struct.unpack(">I", sealed[4:8])[0]
    index = {"magic": 1, "header": 8 + header_len // 2, "signature": 8 + header_len + 10,
             "ciphertext": 8 + header_len + 64 + 3, "tail": len(sealed) - 1}[position]
    sealed[index] ^= 0x04
    assert code_of(keys.open, bytes(sealed)) in {"malformed", "bad_signature"}


def test_truncated_batches_are_refused_at_every_length(keys):
    sealed = keys.seal([make_op(1)])
    for cut in [0, 3, 7, 8, 20, len(sealed) // 2, len(sealed) - 65, len(sealed) - 1]:
        assert code_of(keys.open, sealed[:cut]) in {"malformed", "bad_signature"}


def test_header_swapped_between_batches_is_refused(keys):
    a, b = keys.seal([make_op(1)]), keys.seal([make_op(2)])
    _, hbytes_a, sig_a, _ = read_header(a)
    _, _, _, ct_b = read_header(b)
    mixed = a[:8] + hbytes_a + sig_a + ct_b
    assert code_of(keys.open, mixed) == "bad_signature"


def test_resigned_header_with_other_ciphertext_fails_to_decrypt(keys):
    """Even a holder of the device key cannot splice one batch's ciphertext under another header."""
    a, b = keys.seal([make_op(1)]), keys.seal([make_op(2)])
    _, hbytes_a, _, _ = read_header(a)
    _, _, _, ct_b = read_header(b)
    forged = a[:8] + hbytes_a + keys.device.sign(hbytes_a + ct_b) + ct_b
    assert code_of(keys.open, forged) == "decrypt_failed"


def test_unknown_recipient_device_and_revoked(keys):
    sealed = keys.seal([make_op(1)])
    other = X25519PrivateKey.generate()
    assert code_of(open_envelope, sealed, server_keys={key_id(raw_public(other)): other},
                   device_lookup=keys.lookup) == "unknown_recipient"
    stranger = Keys()
    stranger.server = keys.server
    assert code_of(keys.open, stranger.seal([make_op(1)])) == "unknown_device"
    keys.revoked = True
    assert code_of(keys.open, sealed) == "revoked_device"


def test_device_of_another_client_is_refused(keys):
    """A batch claiming client B but signed with client A's device key is not B's."""
    sealed = keys.seal([make_op(1)], client_id="client-b")
    assert code_of(keys.open, sealed) == "unknown_device"


def test_signature_by_wrong_key_is_refused(keys):
    impostor = Ed25519PrivateKey.generate()
    sealed = bytearray(keys.seal([make_op(1)]))
    _, hbytes, _, ct = read_header(bytes(sealed))
    forged = bytes(sealed[:8]) + hbytes + impostor.sign(hbytes + ct) + ct
    assert code_of(keys.open, forged) == "bad_signature"


def test_oversized_inputs(keys):
    assert code_of(keys.open, b"ADB1" + b"\0" * MAX_ENVELOPE_BYTES) == "too_large"
    assert code_of(keys.seal, [make_op(i) for i in range(1, 1002)]) == "too_large"
    # a tiny compressed body that expands past the cap (a zip bomb) is cut off while decompressing
    sealed = keys.seal([make_op(1, fields={"label": "x" * 200_000})])
    assert code_of(keys.open, sealed, max_plaintext=100_000) == "too_large"


def test_non_canonical_or_odd_headers_are_malformed(keys):
    sealed = keys.seal([make_op(1)])
    header, _, sig, ct = read_header(sealed)
    spaced = json.dumps(header).encode()
    assert code_of(keys.open, b"ADB1" + struct.pack(">I", len(spaced)) + spaced + sig + ct) == "malformed"
    for change in [{"v": 2}, {"op_count": True}, {"batch_id": "xyz"}, {"extra": 1}, {"prev_batch_hash": "zz"}]:
        bad = canonical_json({**header, **change})
        assert code_of(keys.open, b"ADB1" + struct.pack(">I", len(bad)) + bad + sig + ct) == "malformed"
    huge = struct.pack(">I", 10**6)
    assert code_of(keys.open, b"ADB1" + huge + sealed[8:]) == "malformed"


@pytest.mark.parametrize("ops", [
    [],
    [{"op_id": 1}],
    [make_op(2), make_op(1)],
    [make_op(1, entity="user")],
    [make_op(1, op="drop")],
    [make_op(1, base_revision=-1)],
    [make_op(1, task_id="1")],
    [make_op(0)],
])
def test_bad_ops_refused_at_seal(keys, ops):
    assert code_of(keys.seal, ops) in {"malformed", "inconsistent"}


def test_counts_must_match_the_ops(keys):
    """A signed header that lies about its ops (a buggy or hostile client) is refused after decryption."""
    sealed = keys.seal([make_op(1), make_op(2)])
    header = read_header(sealed)[0]
    # re-seal by hand: valid crypto, header counts wrong
    lying = {**header, "op_count": 3}
    lbytes = canonical_json(lying)
    server_pub = raw_public(keys.server)
    eph_pub = b64d(header["ephemeral_public_key"])
    kek = HKDF(hashes.SHA256(), 32, None, WRAP_INFO + eph_pub + server_pub).derive(
        keys.server.exchange(X25519PublicKey.from_public_bytes(eph_pub)))
    data_key = ChaCha20Poly1305(kek).decrypt(b"\0" * 12, b64d(header["wrapped_key"]), header["batch_id"].encode())
    plain = zstandard.ZstdCompressor().compress(canonical_json([make_op(1), make_op(2)]))
    ct2 = ChaCha20Poly1305(data_key).encrypt(b64d(header["nonce"]), plain, lbytes)
    forged = b"ADB1" + struct.pack(">I", len(lbytes)) + lbytes + keys.device.sign(lbytes + ct2) + ct2
    assert code_of(keys.open, forged) == "inconsistent"

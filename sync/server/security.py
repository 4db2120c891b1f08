"""Passwords (argon2id), bearer tokens (random, stored hashed, expiring), login rate limits and the server key.

All state is in the database, so any process behind a load balancer can check a token or count failed logins.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy.engine import Connection

from sync.envelope import key_id, raw_public
from sync.server import db
from sync.server.config import ServerConfig

ROLES = ("admin", "lead", "annotator")
REVIEWER_ROLES = ("admin", "lead")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user behind a valid token and the device it was issued to (if any)."""

    user_id: int
    name: str
    role: str
    device_id: int | None
    client_id: str | None
    led: frozenset[int] = frozenset()  # the projects a lead leads (an admin leads every project)

    @property
    def is_reviewer(self) -> bool:
        return self.role in REVIEWER_ROLES

    def leads(self, project_id: int) -> bool:
        """May review, decide and manage this project: an admin, or one of its leads."""
        return self.role == "admin" or (self.role == "lead" and project_id in self.led)


class Passwords:
    """argon2id with configurable cost (tests lower it; production keeps the RFC 9106 defaults)."""

    def __init__(self, config: ServerConfig) -> None:
        self._hasher = PasswordHasher(time_cost=config.argon2_time_cost, memory_cost=config.argon2_memory_kib,
                                      parallelism=config.argon2_parallelism, type=Type.ID)
        self._dummy = self._hasher.hash(secrets.token_hex(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Constant work whether or not the user exists, so timing does not reveal user names."""
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


def token_hash(token: str) -> str:
    """Tokens carry 256 random bits, so one SHA-256 is enough to make a stolen database useless for login."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(conn: Connection, config: ServerConfig, user_id: int, device_id: int | None) -> tuple[str, float]:
    token = secrets.token_urlsafe(32)
    now = time.time()
    expires = now + config.token_ttl_s
    conn.execute(db.tokens.insert().values(token_hash=token_hash(token), user_id=user_id, device_id=device_id,
                                           created_at=now, expires_at=expires))
    return token, expires


def principal_for(conn: Connection, token: str) -> Principal | None:
    """The caller of a bearer token, or None when it is unknown, expired, revoked or its device is revoked."""
    t, u, d = db.tokens, db.users, db.devices
    row = conn.execute(
        sa.select(u.c.id, u.c.name, u.c.role, t.c.device_id, t.c.expires_at, t.c.revoked, d.c.client_id,
                  d.c.revoked_at)
        .select_from(t.join(u, u.c.id == t.c.user_id).outerjoin(d, d.c.id == t.c.device_id))
        .where(t.c.token_hash == token_hash(token))
    ).first()
    if row is None or row.revoked or row.expires_at <= time.time() or row.revoked_at is not None:
        return None
    led = frozenset(conn.execute(sa.select(db.project_leads.c.project_id).where(
        db.project_leads.c.user_id == row.id)).scalars()) if row.role == "lead" else frozenset()
    return Principal(row.id, row.name, row.role, row.device_id, row.client_id, led)


def device_revoked(conn: Connection, token: str) -> bool:
    """Whether a refused token was issued to a device that is now revoked: its holder is told so (and that a new
    login continues the device's work), where a guessed or expired token only learns that it is not valid."""
    t, d = db.tokens, db.devices
    return conn.execute(sa.select(d.c.revoked_at).select_from(t.join(d, d.c.id == t.c.device_id))
                        .where(t.c.token_hash == token_hash(token), d.c.revoked_at.is_not(None))).first() is not None


def login_retry_after(conn: Connection, config: ServerConfig, username: str, ip: str) -> int:
    """Seconds until another login may be tried for this username from this address (0: allowed now)."""
    f = db.login_failures
    since = time.time() - config.login_window_s
    rows = conn.execute(sa.select(f.c.at).where(f.c.username == username, f.c.ip == ip, f.c.at > since)
                        .order_by(f.c.at.desc()).limit(config.login_max_failures)).scalars().all()
    if len(rows) < config.login_max_failures:
        return 0
    return max(1, int(rows[-1] + config.login_window_s - time.time()) + 1)


def record_login_failure(conn: Connection, config: ServerConfig, username: str, ip: str) -> None:
    now = time.time()
    f = db.login_failures
    conn.execute(f.delete().where(f.c.at < now - config.login_window_s))
    conn.execute(f.insert().values(username=username[:256], ip=ip, at=now))


def clear_login_failures(conn: Connection, username: str, ip: str) -> None:
    f = db.login_failures
    conn.execute(f.delete().where(f.c.username == username, f.c.ip == ip))


def server_key(conn: Connection) -> X25519PrivateKey:
    """The server's X25519 key, created on first use (inside the serialised write, so processes agree on one)."""
    row = conn.execute(sa.select(db.server_keys.c.private_key).order_by(db.server_keys.c.created_at.desc())).first()
    if row is not None:
        return X25519PrivateKey.from_private_bytes(row.private_key)
    key = X25519PrivateKey.generate()
    public = raw_public(key)
    conn.execute(db.server_keys.insert().values(
        key_id=key_id(public), public_key=public, created_at=time.time(),
        private_key=key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())))
    return key


def all_server_keys(conn: Connection) -> dict[str, X25519PrivateKey]:
    rows = conn.execute(sa.select(db.server_keys.c.key_id, db.server_keys.c.private_key)).all()
    return {r.key_id: X25519PrivateKey.from_private_bytes(r.private_key) for r in rows}

"""JWTs (HS256), TOTP codes (RFC 6238) and password hashes, with the standard library only."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import struct
import time
from typing import Any

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def encode_jwt(payload: dict[str, Any], secret: bytes) -> str:
    """Sign ``payload`` as a compact HS256 JWT."""
    signing_input = f"{_b64url(_compact(_HEADER))}.{_b64url(_compact(payload))}"
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def decode_jwt(token: str, secret: bytes, *, now: float | None = None) -> dict[str, Any] | None:
    """The payload of a well-signed, unexpired HS256 token, else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_b64url_decode(parts[0]))
        payload = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        return None
    expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256)
    if not hmac.compare_digest(expected.digest(), signature) or not isinstance(payload, dict):
        return None
    exp = payload.get("exp")
    if not isinstance(exp, int | float) or (time.time() if now is None else now) >= exp:
        return None
    return payload


def token_hash(token: str) -> str:
    """What the revocation list stores instead of the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str, iterations: int = 100_000) -> str:
    """``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """False for accounts without a password (single sign-on) and malformed hashes."""
    if not stored:
        return False
    try:
        scheme, rounds, salt_hex, digest_hex = stored.split("$")
        salt, expected, iterations = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex), int(rounds)
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return hmac.compare_digest(digest, expected)


def new_totp_secret() -> str:
    """A random base32 secret, as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def totp_code(secret: str, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    """The RFC 6238 code (HMAC-SHA1) of ``secret`` at time ``at`` (default: now)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def verify_totp(secret: str, code: str, *, at: float | None = None, window: int = 1) -> bool:
    """Accept the code of the current 30 s step and of ``window`` steps either side."""
    now = time.time() if at is None else at
    code = code.strip()
    return any(
        hmac.compare_digest(totp_code(secret, now + delta * 30), code)
        for delta in range(-window, window + 1)
    )

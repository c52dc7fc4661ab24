"""Signing webhook messages the Standard Webhooks way (https://www.standardwebhooks.com/).

A secret is "whsec_" and the base64 of a random key. Each message carries
three headers: `webhook-id` (the same on every attempt, so a receiver can drop
a repeat), `webhook-timestamp` (unix seconds of this attempt) and
`webhook-signature`, "v1," and the base64 HMAC-SHA256 of "id.timestamp.body"
under the key. Signing the timestamp lets a receiver refuse a replayed message:
`verify` rejects one more than five minutes off its own clock.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
KEY_BYTES = 32
TOLERANCE_SECONDS = 300


class VerificationError(Exception):
    """The message is not signed with this secret, or not within the tolerance of now."""


def new_secret():
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _key(secret):
    try:
        return base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError("The secret is not a whsec_ secret.") from None


def _bytes(body):
    return body.encode() if isinstance(body, str) else bytes(body)


def signature(secret, message_id, timestamp, body):
    """The `webhook-signature` value for `body` (bytes or str, signed exactly as sent)."""
    signed = f"{message_id}.{timestamp}.".encode() + _bytes(body)
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret, message_id, body, *, timestamp=None):
    """The three signed headers for one attempt to send `body`; the timestamp is now unless given."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def _header(headers, name):
    # Receivers hand over whatever their framework gives: a dict with any capitalisation, or an HTTPMessage.
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise VerificationError(f"The {name} header is missing.")


def verify(secret, headers, body, tolerance=TOLERANCE_SECONDS):
    """Raise VerificationError unless `body` with `headers` was signed with `secret` within `tolerance` seconds."""
    message_id = _header(headers, "webhook-id")
    try:
        timestamp = int(_header(headers, "webhook-timestamp"))
    except ValueError:
        raise VerificationError("The webhook-timestamp header is not a number.") from None
    if abs(time.time() - timestamp) > tolerance:
        raise VerificationError("The message's timestamp is too far from now: refused as a possible replay.")
    expected = signature(secret, message_id, timestamp, body).encode()
    # The header may list several signatures ("v1,abc v1,def") while a secret is being rotated.
    for candidate in _header(headers, "webhook-signature").split():
        if hmac.compare_digest(candidate.encode(), expected):
            return
    raise VerificationError("No signature matches this secret.")

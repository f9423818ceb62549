"""Proof that a webhook call comes from Meta: the verification GET and the signed POST.

Every Meta webhook product (business messaging, Page, Instagram) uses the same two mechanisms,
so nothing here is specific to one platform ("Verification Requests" and "Validating Payloads"
in https://developers.facebook.com/docs/graph-api/webhooks/getting-started).

Both checks run before the body is parsed or stored, and both compare in constant time so that
an attacker cannot learn a secret byte by byte from response timings.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence

from channels.base import AccountConfig, WebhookRequest

SIGNATURE_PREFIX = "sha256="
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
# Meta sends a number; anything else is echoed into our response body, so only a short token
# that cannot carry markup is reflected.
_SAFE_CHALLENGE = re.compile(r"[A-Za-z0-9_.\-]{1,128}")


def authenticate(request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
    """True when the POST is signed with the app secret of one of the accounts."""
    secrets = {a.get("app_secret") for a in accounts} - {""}
    header = request.headers.get("x-hub-signature-256", "")
    return is_valid_signature(request.body, header, secrets)


def handshake(query: Mapping[str, str], accounts: Sequence[AccountConfig]) -> str | None:
    """The challenge to answer a verification GET with, for any account's verify token."""
    tokens = {a.get("verify_token") for a in accounts} - {""}
    return handshake_challenge(query, tokens)


def is_valid_signature(body: bytes, header: str, secrets: set[str]) -> bool:
    """True when `header` (`sha256=<hex>`) is the HMAC-SHA256 of the raw `body` under a secret.

    Several secrets are accepted because one endpoint may serve accounts of several apps; every
    one is tried so that the time taken does not reveal which one matched.
    """
    digest = _digest_from_header(header)
    if digest is None:
        return False
    matched = False
    for secret in secrets:
        if secret:
            expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            matched |= hmac.compare_digest(expected, digest)
    return matched


def handshake_challenge(query: Mapping[str, str], verify_tokens: set[str]) -> str | None:
    """The `hub.challenge` to answer a subscription check with, or None to refuse it.

    The challenge is returned only when it is a short plain token, because the caller sends it
    back verbatim: reflecting arbitrary text would let anyone who knows a token inject HTML.
    """
    if query.get("hub.mode") != "subscribe":
        return None
    if not _is_known_token(query.get("hub.verify_token") or "", verify_tokens):
        return None
    challenge = query.get("hub.challenge") or ""
    if not _SAFE_CHALLENGE.fullmatch(challenge):
        return None
    return challenge


def _digest_from_header(header: str) -> str | None:
    """The lower-case hex digest of a well-formed signature header, else None."""
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return None
    digest = header[len(SIGNATURE_PREFIX) :]
    if not _HEX_DIGEST.fullmatch(digest):
        return None
    return digest.lower()


def _is_known_token(candidate: str, verify_tokens: set[str]) -> bool:
    """Constant-time membership test; an empty token never matches."""
    if not candidate:
        return False
    given = candidate.encode()
    matched = False
    for token in verify_tokens:
        if token:
            matched |= hmac.compare_digest(token.encode(), given)
    return matched

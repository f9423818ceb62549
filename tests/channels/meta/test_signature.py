"""Which webhook calls are proven to come from Meta.

https://developers.facebook.com/docs/graph-api/webhooks/getting-started
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from channels.meta.signature import handshake_challenge, is_valid_signature

SECRET = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
OTHER_SECRET = "0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'
VERIFY_TOKEN = "dukcapil-bandung-2025"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


GOOD = sign(BODY, SECRET)


@pytest.mark.parametrize(
    ("body", "header", "secrets", "valid"),
    [
        pytest.param(BODY, GOOD, {SECRET}, True, id="a body signed with our secret is genuine"),
        pytest.param(
            BODY, GOOD.upper().replace("SHA256=", "sha256="), {SECRET}, True, id="hex in capitals"
        ),
        pytest.param(
            BODY, GOOD, {OTHER_SECRET, SECRET}, True, id="any one of several secrets may match"
        ),
        pytest.param(BODY, sign(BODY, OTHER_SECRET), {SECRET}, False, id="signed with another"),
        pytest.param(BODY + b" ", GOOD, {SECRET}, False, id="a tampered body is refused"),
        pytest.param(BODY, GOOD.removeprefix("sha256="), {SECRET}, False, id="missing prefix"),
        pytest.param(BODY, "sha1=" + GOOD[7:], {SECRET}, False, id="another algorithm"),
        pytest.param(BODY, "sha256=" + "zz" * 32, {SECRET}, False, id="non-hex digest"),
        pytest.param(BODY, GOOD[:-2], {SECRET}, False, id="a truncated digest"),
        pytest.param(BODY, GOOD + " ", {SECRET}, False, id="trailing junk"),
        pytest.param(BODY, "", {SECRET}, False, id="an empty header"),
        pytest.param(BODY, GOOD, set(), False, id="no secret configured refuses everything"),
        pytest.param(BODY, sign(BODY, ""), {""}, False, id="an empty secret never matches"),
    ],
)
def test_signature(body: bytes, header: str, secrets: set[str], valid: bool) -> None:
    assert is_valid_signature(body, header, secrets) is valid


ABSENT = None
TOKENS = {VERIFY_TOKEN}


def subscribe(**overrides: str | None) -> dict[str, str]:
    """Meta's verification query, with parameters replaced or (given ABSENT) left out."""
    query: dict[str, str | None] = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    query.update({key.replace("_", ".", 1): value for key, value in overrides.items()})
    return {key: value for key, value in query.items() if value is not ABSENT}


HANDSHAKES = [
    ("a good check is answered with the bare challenge", subscribe(), TOKENS, "1158201444"),
    ("any account's token will do", subscribe(), {"kantor-lain", VERIFY_TOKEN}, "1158201444"),
    ("token characters are echoed", subscribe(hub_challenge="Ab_9-x.Y"), TOKENS, "Ab_9-x.Y"),
    ("128 characters are echoed", subscribe(hub_challenge="9" * 128), TOKENS, "9" * 128),
    ("a wrong token is refused", subscribe(hub_verify_token="tebakan"), TOKENS, None),
    ("a missing token is refused", subscribe(hub_verify_token=ABSENT), TOKENS, None),
    ("an empty token never matches", subscribe(hub_verify_token=""), {""}, None),
    ("a non-ASCII token is refused", subscribe(hub_verify_token="tökén"), TOKENS, None),
    ("no token configured refuses all", subscribe(), set(), None),
    ("another mode is refused", subscribe(hub_mode="unsubscribe"), TOKENS, None),
    ("a missing mode is refused", subscribe(hub_mode=ABSENT), TOKENS, None),
    ("a missing challenge is refused", subscribe(hub_challenge=ABSENT), TOKENS, None),
    ("an empty challenge is refused", subscribe(hub_challenge=""), TOKENS, None),
    ("markup is never reflected", subscribe(hub_challenge="<script>x</script>"), TOKENS, None),
    ("a line break is refused", subscribe(hub_challenge="123\n456"), TOKENS, None),
    ("129 characters are refused", subscribe(hub_challenge="9" * 129), TOKENS, None),
]


@pytest.mark.parametrize(
    ("query", "tokens", "answer"),
    [pytest.param(query, tokens, answer, id=spec) for spec, query, tokens, answer in HANDSHAKES],
)
def test_handshake(query: dict[str, str], tokens: set[str], answer: str | None) -> None:
    assert handshake_challenge(query, tokens) == answer

"""How Meta's Graph errors become the adapter's three kinds (one table for WhatsApp, Page and
Instagram). https://developers.facebook.com/docs/graph-api/guides/error-handling"""

from __future__ import annotations

import pytest

from channels.base import AuthError, PermanentError, TransientError
from channels.meta.graph import graph_error, http_error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ({"code": 190, "message": "Error validating access token"}, AuthError),
        ({"code": 190, "error_subcode": 463, "message": "Session has expired"}, AuthError),
        ({"code": 200, "message": "(#200) Requires pages_messaging permission"}, AuthError),
        ({"code": 4, "message": "(#4) Application request limit reached"}, TransientError),
        ({"code": 17, "message": "(#17) User request limit reached"}, TransientError),
        ({"code": 32, "message": "(#32) Page request limit reached"}, TransientError),
        ({"code": 613, "message": "(#613) Calls to this api have exceeded"}, TransientError),
        ({"code": 80007, "message": "(#80007) rate limit"}, TransientError),
        ({"code": 130429, "message": "Rate limit hit"}, TransientError),
        ({"code": 1, "is_transient": True, "message": "An unknown error"}, TransientError),
        ({"code": 10900, "message": "(#10900) Activity already replied to"}, PermanentError),
        ({"code": 551, "message": "(#551) This person isn't available right now."}, PermanentError),
        # Messenger says "outside of allowed window" with code 10, a permission code: the token
        # is fine, so the account must not be marked as needing attention.
        ({"code": 10, "error_subcode": 2018278, "message": "(#10) outside window"}, PermanentError),
        ({"code": 100, "message": "(#100) Invalid parameter"}, PermanentError),
    ],
)
def test_each_code_maps_to_its_kind_with_metas_message(error, kind):
    mapped = graph_error(error, 400, retry_after=None)
    assert type(mapped) is kind
    assert mapped.message == error["message"]
    assert mapped.code in (str(error["code"]), f"{error['code']}/{error.get('error_subcode')}")


def test_a_rate_limit_keeps_the_retry_after_it_came_with():
    mapped = graph_error({"code": 613, "message": "slow down"}, 400, retry_after=12.0)
    assert isinstance(mapped, TransientError) and mapped.retry_after == 12.0


def test_a_server_error_status_is_transient_whatever_the_code():
    assert isinstance(graph_error({"code": 100, "message": "x"}, 503, None), TransientError)


def test_meta_details_are_added_to_the_message():
    error = {"code": 131026, "message": "Message Undeliverable", "error_data": {"details": "why"}}
    assert graph_error(error, 400, None).message == "Message Undeliverable: why"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, AuthError),
        (403, AuthError),
        (429, TransientError),
        (502, TransientError),
        (404, PermanentError),
    ],
)
def test_a_bare_http_status_maps_too(status, kind):
    assert type(http_error(status, "x", None)) is kind

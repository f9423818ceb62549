"""Graph API conventions every Meta product shares: tokens, parameters, error bodies, ids.

https://developers.facebook.com/docs/graph-api/guides/error-handling
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl

from litestar import Request, Response

#: the running simulator a product is asked from (each host passes its own)
Simulator = Any

_JSON = "application/json; charset=UTF-8"


class GraphProduct(Protocol):
    """One Meta product (WhatsApp, Messenger, Instagram) behind the shared Graph routes.

    Graph paths do not say which product an id belongs to (`/{id}/messages` is both the
    WhatsApp and the Messenger send), so each product answers for the ids it owns and
    returns None for the rest.
    """

    def owns_token(self, sim: Simulator, token: str) -> bool: ...

    async def post_messages(
        self, sim: Simulator, request: Request[Any, Any, Any], object_id: str, params: Params
    ) -> Response[Any] | None: ...

    async def get_object(
        self, sim: Simulator, request: Request[Any, Any, Any], object_id: str, token: str
    ) -> Response[Any] | None: ...


Params = dict[str, Any]


@runtime_checkable
class GraphEdgeProduct(Protocol):
    """A product that also answers `POST /{id}/{edge}` for other edges (a comment's
    `comments` or `replies`), returning None for ids it does not own."""

    async def post_edge(
        self,
        sim: Simulator,
        request: Request[Any, Any, Any],
        object_id: str,
        edge: str,
        params: Params,
    ) -> Response[Any] | None: ...


class BadParams(ValueError):
    """The request body is not valid JSON or form data."""


def error_response(
    status: int,
    code: int,
    message: str,
    *,
    error_type: str = "OAuthException",
    details: str | None = None,
    messaging_product: str | None = "whatsapp",
    subcode: int | None = None,
    is_transient: bool | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """A Graph API error in Meta's documented shape, matched by clients on `code`."""
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if details is not None:
        error["error_data"] = {"details": details}
        if messaging_product:
            error["error_data"]["messaging_product"] = messaging_product
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    error["fbtrace_id"] = secrets.token_urlsafe(16)
    extra = dict(headers or {})
    if status == 401:
        extra.setdefault("www-authenticate", 'OAuth "Facebook Platform" "invalid_token"')
    return Response({"error": error}, status_code=status, media_type=_JSON, headers=extra)


def invalid_token(token: str | None) -> Response[dict[str, Any]]:
    if not token:
        message = "An active access token must be used to query information about this resource."
    else:
        message = "Invalid OAuth access token - Cannot parse access token"
    return error_response(401, 190, message)


def unsupported_object(method: str, object_id: str) -> Response[dict[str, Any]]:
    """What Meta answers for an id that does not exist or the token may not touch."""
    return error_response(
        400,
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read "
        "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        error_type="GraphMethodException",
        subcode=33,
    )


def ok(body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(body, status_code=200, media_type=_JSON)


async def read_params(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """JSON bodies as sent by Meta's docs, or form bodies as facebook-sdk sends them.

    Graph decodes a form value that is a JSON object or array, which is how SDKs send nested
    fields like `text` and `context`.
    """
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            params = json.loads(raw or b"{}")
        except ValueError as exc:
            raise BadParams("Request body is not valid JSON") from exc
        if not isinstance(params, dict):
            raise BadParams("Request body must be a JSON object")
        return params
    params = {}
    for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        params[key] = _maybe_json(value)
    return params


def access_token(request: Request[Any, Any, Any], params: dict[str, Any]) -> str | None:
    """Bearer header first, then `access_token` in the body, then in the query string."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    token = params.get("access_token") or request.query_params.get("access_token")
    return str(token) if token else None


def new_numeric_id() -> str:
    """Graph object ids are decimal strings (media ids, conversation ids…)."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


def _maybe_json(value: str) -> Any:
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value

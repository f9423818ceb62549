"""Errors in the inbox as people see them: a login redirect, a small page, or an htmx fragment.

The JSON API, webhooks, health check and schema keep their JSON errors; so does an attachment
download that authenticates with a bearer token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_500_INTERNAL_SERVER_ERROR

from inbox.web import here, is_htmx, render, safe_next, see_other

API_PREFIXES = ("/api/", "/webhooks/", "/healthz", "/schema")
BEARER_PREFIXES = ("/attachments/",)
PAGE_KEYS = {400: "errpage.400", 403: "errpage.403", 404: "errpage.404", 405: "errpage.405"}
PAGE_KEYS |= {413: "errpage.413", 429: "errpage.429"}
CSRF_FAILURE = "CSRF token verification failed"

Handler = Callable[[Request, Any], Response[Any]]


def is_api_request(request: Request) -> bool:
    path = request.url.path
    if path.startswith(API_PREFIXES):
        return True
    return path.startswith(BEARER_PREFIXES) and "authorization" in request.headers


def _next_after_login(request: Request) -> str:
    """Where to come back to: this page for a plain GET, else the page the user was on."""
    if not is_htmx(request):
        return here(request)
    parts = urlsplit(request.headers.get("hx-current-url", ""))
    if parts.netloc and parts.netloc != request.url.netloc:
        return "/"
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def _login_redirect(request: Request) -> Response[Any]:
    target = "/login?next=" + quote(_next_after_login(request), safe="/")
    if is_htmx(request):
        # An XHR would follow a 303 and swap the login page into the timeline.
        return Response(
            content="", status_code=HTTP_401_UNAUTHORIZED, headers={"HX-Redirect": target}
        )
    return see_other(target)


def _message_key(exc: Exception, status: int) -> str:
    if status == 403 and isinstance(exc, HTTPException) and exc.detail == CSRF_FAILURE:
        return "errpage.csrf"
    if status >= 500:
        return "errpage.500"
    return PAGE_KEYS.get(status, "errpage.400")


def inbox_exception_handler(api_handler: Handler) -> Handler:
    """Wrap the app's JSON error handler: JSON for machines, HTML for people.

    Works for `HTTPException` and, wired to `Exception`, for unexpected errors too (the JSON
    handler still runs first for those, so they are logged once).
    """

    def handle(request: Request, exc: Exception) -> Response[Any]:
        if is_api_request(request):
            return api_handler(request, exc)
        if isinstance(exc, HTTPException):
            status = exc.status_code
            headers = dict(exc.headers or {})
        else:
            api_handler(request, exc)  # logs it
            status, headers = HTTP_500_INTERNAL_SERVER_ERROR, {}
        if status == HTTP_401_UNAUTHORIZED:
            return _login_redirect(request)
        context = {"status": status, "message_key": _message_key(exc, status)}
        if is_htmx(request):
            headers |= {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
            return render(request, "_flash.html", context, status_code=status, headers=headers)
        return render(request, "error.html", context, status_code=status, headers=headers)

    return handle

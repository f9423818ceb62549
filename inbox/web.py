"""What every inbox handler shares: the signed-in principal, the language, rendering, htmx."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal, load_signed_in
from helpdesk.models import Office
from helpdesk.tickets import offices_of
from helpdesk.web.deps import SESSION_USER, SESSION_VERSION
from inbox import i18n

_OFFICES = "inbox_offices"  # request.state key: (user id, the offices require_principal loaded)


async def require_principal(request: Request, db: AsyncSession) -> Principal:
    """The session's user; 401 (turned into the login redirect) when there is none.

    Loads the user's offices in the same round trip (`user_offices` hands them out): this runs
    on every page, so it is the one place where a saved round trip counts on all of them."""
    user_id = request.session.get(SESSION_USER) if request.scope.get("session") else None
    found = await load_signed_in(db, user_id) if isinstance(user_id, int) else None
    if found is None or request.session.get(SESSION_VERSION, 0) != found[0].session_version:
        raise NotAuthorizedException("sign in first")
    principal, offices = found
    request.state[_OFFICES] = (principal.user_id, offices)
    return principal


async def user_offices(request: Request, db: AsyncSession, principal: Principal) -> list[Office]:
    """The offices `principal` works in, by name: those `require_principal` loaded, if it did
    and no rollback expired them since (an async session cannot reload them lazily)."""
    loaded = request.state.get(_OFFICES)
    if (
        loaded is not None
        and loaded[0] == principal.user_id
        and not any(inspect(o).expired_attributes for o in loaded[1])
    ):
        return list(loaded[1])
    return await offices_of(db, principal)


def language_of(request: Request, principal: Principal | None = None) -> str:
    cookie = request.cookies.get(i18n.LANG_COOKIE)
    return i18n.activate(i18n.choose_language(cookie, principal.language if principal else None))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never `//evil.example`, `/\\evil`, a scheme, or a line break."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return default
    if value.startswith(("//", "/\\")) or any(c in value for c in "\r\n\t\\"):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def here(request: Request) -> str:
    """This page, to come back to (after a language switch): for a POST, the page it came from."""
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        return safe_next(request.url.path + (f"?{query}" if query else ""))
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/"
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))


def see_other(path: str, **kwargs: Any) -> Redirect:
    return Redirect(path=path, status_code=HTTP_303_SEE_OTHER, **kwargs)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    offices: list[Office] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    lang = language_of(request, principal)
    return Template(
        template_name=template,
        context={
            "lang": lang,
            "principal": principal,
            "offices": offices or [],
            "here": here(request),
            **(context or {}),
        },
        status_code=status_code,
        headers=headers,
    )


async def render_page(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Template:
    """A full page: the nav needs the user's offices."""
    offices = await user_offices(request, db, principal)
    return render(
        request, template, context, principal=principal, offices=offices, status_code=status_code
    )

"""Signing in and out, and choosing the language."""

from __future__ import annotations

import math
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_429_TOO_MANY_REQUESTS
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import authenticate_password
from helpdesk.runtime import Runtime
from helpdesk.web.deps import SESSION_USER, SESSION_VERSION, session_principal
from inbox import i18n
from inbox.forms import PASSWORD_MAX, USERNAME_MAX, Lang, Login
from inbox.throttle import throttles_of
from inbox.web import language_of, render, safe_next, see_other

LANG_COOKIE_SECONDS = 365 * 24 * 3600


@get("/login", include_in_schema=False)
async def login_page(request: Request, db: AsyncSession, next: str | None = None) -> Response[Any]:
    target = safe_next(next)
    if await session_principal(request, db) is not None:
        return see_other(target)
    return render(request, "login.html", {"next": target, "username": "", "error": None})


@post("/login", include_in_schema=False, status_code=200)
async def login(request: Request, db: AsyncSession, data: Login) -> Response[Any]:
    target = safe_next(data.next)
    username = data.username.strip()
    lang = language_of(request)
    throttles = throttles_of(request.app)
    throttle = throttles.login
    key = throttle.key(throttles.client(request), username)
    if wait := await throttle.locked_for(key):
        minutes = max(1, math.ceil(wait / 60))
        context = {
            "next": target,
            "username": username[:USERNAME_MAX],
            "error": i18n.translate("login.throttled", lang, minutes=minutes),
        }
        return render(
            request,
            "login.html",
            context,
            status_code=HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(math.ceil(wait))},
        )
    user = None
    if 0 < len(username) <= USERNAME_MAX and 0 < len(data.password) <= PASSWORD_MAX:
        user = await authenticate_password(db, username, data.password)
    if user is None:
        await throttle.failed(key)
        context = {
            "next": target,
            "username": username[:USERNAME_MAX],
            "error": i18n.translate("login.failed", lang),
        }
        return render(request, "login.html", context, status_code=HTTP_400_BAD_REQUEST)
    await throttle.succeeded(key)
    # A new session for the new user: nothing of the anonymous one is carried over.
    request.clear_session()
    request.set_session({SESSION_USER: user.id, SESSION_VERSION: user.session_version})
    await db.commit()
    return see_other(target)


@post("/logout", include_in_schema=False, status_code=200)
async def logout(request: Request) -> Response[Any]:
    request.clear_session()
    return see_other("/login")


@post("/lang", include_in_schema=False, status_code=200)
async def choose_language(request: Request, rt: Runtime, data: Lang) -> Response[Any]:
    lang = i18n.normalise(data.lang)
    if lang is None:
        raise HTTPException(status_code=HTTP_400_BAD_REQUEST, detail="unknown language")
    cookie = Cookie(
        key=i18n.LANG_COOKIE,
        value=lang,
        max_age=LANG_COOKIE_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=rt.settings.secure_cookies,
    )
    return see_other(safe_next(data.next), cookies=[cookie])


AUTH_ROUTES = [login_page, login, logout, choose_language]

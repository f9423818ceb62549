"""The signed-in user's own account: `GET|POST /account/password`.

The current password is checked (argon2, helpdesk.auth), the new one hashed the same way; the
user's other sessions end (helpdesk.staff.change_own_password bumps the session version) and
this one carries on with the new version. Wrong current passwords count against the same
throttle as failed logins, so the form is not a way around it.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_429_TOO_MANY_REQUESTS
from msgspec import Struct
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import staff
from helpdesk.auth import Principal
from helpdesk.web.deps import SESSION_USER, SESSION_VERSION
from inbox import i18n
from inbox.throttle import throttles_of
from inbox.web import language_of, render_page, require_principal, see_other


class PasswordChangeForm(Struct):
    current: str = ""
    new: str = ""
    repeat: str = ""


PasswordChange = Annotated[PasswordChangeForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


@get("/account/password", include_in_schema=False)
async def password_page(request: Request, db: AsyncSession, changed: bool = False) -> Response[Any]:
    principal = await require_principal(request, db)
    context = {"error": None, "changed": changed, "min": staff.MIN_PASSWORD}
    return await render_page(request, db, principal, "account/password.html", context)


async def _refused(
    request: Request, db: AsyncSession, principal: Principal, key: str, status: int, **params: Any
) -> Response[Any]:
    lang = language_of(request, principal)
    context = {
        "error": i18n.translate(key, lang, **params),
        "changed": False,
        "min": staff.MIN_PASSWORD,
    }
    return await render_page(
        request, db, principal, "account/password.html", context, status_code=status
    )


@post("/account/password", include_in_schema=False, status_code=200)
async def change_password(
    request: Request, db: AsyncSession, data: PasswordChange
) -> Response[Any]:
    principal = await require_principal(request, db)
    throttles = throttles_of(request.app)
    throttle = throttles.login
    key = throttle.key(throttles.client(request), principal.username)
    if wait := await throttle.locked_for(key):
        minutes = max(1, math.ceil(wait / 60))
        return await _refused(
            request, db, principal, "login.throttled", HTTP_429_TOO_MANY_REQUESTS, minutes=minutes
        )
    try:
        version = await staff.change_own_password(
            db, principal, data.current, data.new, data.repeat
        )
    except staff.StaffError as exc:
        await db.rollback()
        if exc.code == "wrong_current":
            await throttle.failed(key)
        return await _refused(
            request, db, principal, f"admin.error.{exc.code}", HTTP_400_BAD_REQUEST
        )
    await db.commit()
    await throttle.succeeded(key)
    # A fresh session (as at sign-in) carrying the new version; every older one has ended.
    request.clear_session()
    request.set_session({SESSION_USER: principal.user_id, SESSION_VERSION: version})
    return see_other("/account/password?changed=1")


ACCOUNT_ROUTES = [password_page, change_password]

"""Superuser screens under /admin/: offices, users, channel accounts and their health, and the
inbound events that did not become messages (with replay).

- `GET /admin/offices`, `GET|POST /admin/offices/{id}` (name, time zone, SOP profile)
- `GET|POST /admin/users` (list, create), `GET /admin/users/{id}`,
  `POST /admin/users/{id}/active|membership|superuser|password`
- `GET /admin/channels` every channel account with its health (as `GET /healthz` reports it)
- `GET /admin/events`, `POST /admin/events/{id}/replay`

Anyone else gets 403. The rules (what may change, the audit trail) live in helpdesk.staff and
helpdesk.office_admin; forms post and redirect, and a refused change shows its reason with 400.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from msgspec import Struct
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import inbound_events, office_admin, staff
from helpdesk.auth import Principal
from helpdesk.models import InboundStatus, Office, Role
from helpdesk.runtime import Runtime
from inbox import i18n
from inbox.web import language_of, render_page, require_principal, see_other

SHOWN_STATUSES = ("", *inbound_events.PROBLEMS, InboundStatus.pending, InboundStatus.processed)
TIMEZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
ROLES = tuple(r.value for r in Role)


class OfficeForm(Struct):
    name: str = ""
    timezone: str = ""
    sop: str = ""


class NewUserForm(Struct):
    username: str = ""
    full_name: str = ""
    password: str = ""
    office: str = ""
    role: str = ""


class FlagForm(Struct):
    value: str = ""  # "1" or "0"


class MembershipForm(Struct):
    office_id: int = 0
    role: str = ""


class PasswordForm(Struct):
    password: str = ""


URLENCODED = Body(media_type=RequestEncodingType.URL_ENCODED)
OfficeData = Annotated[OfficeForm, URLENCODED]
NewUserData = Annotated[NewUserForm, URLENCODED]
FlagData = Annotated[FlagForm, URLENCODED]
MembershipData = Annotated[MembershipForm, URLENCODED]
PasswordData = Annotated[PasswordForm, URLENCODED]


async def require_superuser(request: Request, db: AsyncSession) -> Principal:
    principal = await require_principal(request, db)
    if not principal.is_superuser:
        raise PermissionDeniedException("superusers only")
    return principal


class AdminController(Controller):
    path = "/admin"
    include_in_schema = False
    dependencies: ClassVar[dict[str, Provide]] = {"principal": Provide(require_superuser)}

    def _error(self, request: Request, principal: Principal, exc: staff.StaffError) -> str:
        lang = language_of(request, principal)
        return i18n.translate(f"admin.error.{exc.code}", lang)

    # -- offices ---------------------------------------------------------------------------
    @get("/")
    async def home(self) -> Redirect:
        return see_other("/admin/offices")

    @get("/offices")
    async def offices(self, request: Request, db: AsyncSession, principal: Principal) -> Template:
        context = {"all_offices": await office_admin.list_offices(db), "section": "offices"}
        return await render_page(request, db, principal, "admin/offices.html", context)

    async def _office_page(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        office: Office,
        *,
        error: str | None = None,
        form: OfficeForm | None = None,
        saved: bool = False,
    ) -> Template:
        zones = TIMEZONES if office.timezone in TIMEZONES else (office.timezone, *TIMEZONES)
        context = {
            "office": office,
            "form": form or OfficeForm(office.name, office.timezone, office.sop),
            "timezones": zones,
            "sops": office_admin.sop_choices(office),
            "error": error,
            "saved": saved,
            "section": "offices",
        }
        status = HTTP_400_BAD_REQUEST if error else 200
        return await render_page(
            request, db, principal, "admin/office.html", context, status_code=status
        )

    @get("/offices/{office_id:int}")
    async def office(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        office_id: int,
        saved: bool = False,
    ) -> Template:
        office = await db.get(Office, office_id)
        if office is None:
            raise NotFoundException("no such office")
        return await self._office_page(request, db, principal, office, saved=saved)

    @post("/offices/{office_id:int}", status_code=200)
    async def save_office(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        office_id: int,
        data: OfficeData,
    ) -> Response[Any]:
        try:
            await office_admin.update_office(
                db, principal, office_id, name=data.name, timezone=data.timezone, sop=data.sop
            )
        except staff.StaffError as exc:
            if exc.code == "not_found":
                raise NotFoundException("no such office") from exc
            await db.rollback()
            office = await db.get(Office, office_id)
            assert office is not None
            error = self._error(request, principal, exc)
            return await self._office_page(request, db, principal, office, error=error, form=data)
        await db.commit()
        return see_other(f"/admin/offices/{office_id}?saved=1")

    # -- users -----------------------------------------------------------------------------
    async def _users_page(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        *,
        error: str | None = None,
        form: NewUserForm | None = None,
    ) -> Template:
        offices = await office_admin.list_offices(db)
        context = {
            "users": await staff.list_users(db),
            "all_offices": offices,
            "office_codes": {o.id: o.code for o in offices},
            "roles": ROLES,
            "form": form or NewUserForm(),
            "error": error,
            "section": "users",
        }
        status = HTTP_400_BAD_REQUEST if error else 200
        return await render_page(
            request, db, principal, "admin/users.html", context, status_code=status
        )

    @get("/users")
    async def users(self, request: Request, db: AsyncSession, principal: Principal) -> Template:
        return await self._users_page(request, db, principal)

    @post("/users", status_code=200)
    async def create_user(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        data: NewUserData,
    ) -> Response[Any]:
        try:
            user = await staff.create_user(
                db,
                principal,
                username=data.username[:80],
                full_name=data.full_name,
                password=data.password,
                office_code=data.office or None,
                role=data.role,
            )
        except staff.StaffError as exc:
            await db.rollback()
            error = self._error(request, principal, exc)
            kept = NewUserForm(data.username[:80], data.full_name[:200], "", data.office, data.role)
            return await self._users_page(request, db, principal, error=error, form=kept)
        await db.commit()
        return see_other(f"/admin/users/{user.id}?saved=1")

    async def _user_page(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        user_id: int,
        *,
        error: str | None = None,
        saved: bool = False,
    ) -> Template:
        user = await staff.get_user(db, user_id)
        if user is None:
            raise NotFoundException("no such user")
        offices = await office_admin.list_offices(db)
        context = {
            "user": user,
            "roles_by_office": {m.office_id: m.role for m in user.memberships},
            "all_offices": offices,
            "office_roles": staff.OFFICE_ROLES,
            "error": error,
            "saved": saved,
            "is_me": user.id == principal.user_id,
            "section": "users",
        }
        status = HTTP_400_BAD_REQUEST if error else 200
        return await render_page(
            request, db, principal, "admin/user.html", context, status_code=status
        )

    @get("/users/{user_id:int}")
    async def user(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        user_id: int,
        saved: bool = False,
    ) -> Template:
        return await self._user_page(request, db, principal, user_id, saved=saved)

    async def _user_change(
        self, request: Request, db: AsyncSession, principal: Principal, user_id: int, change: Any
    ) -> Response[Any]:
        try:
            await change
        except staff.StaffError as exc:
            if exc.code == "not_found":
                raise NotFoundException("no such user or office") from exc
            await db.rollback()
            error = self._error(request, principal, exc)
            return await self._user_page(request, db, principal, user_id, error=error)
        await db.commit()
        return see_other(f"/admin/users/{user_id}?saved=1")

    @post("/users/{user_id:int}/active", status_code=200)
    async def set_active(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        user_id: int,
        data: FlagData,
    ) -> Response[Any]:
        change = staff.set_active(db, principal, user_id, data.value == "1")
        return await self._user_change(request, db, principal, user_id, change)

    @post("/users/{user_id:int}/superuser", status_code=200)
    async def set_superuser(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        user_id: int,
        data: FlagData,
    ) -> Response[Any]:
        change = staff.set_superuser(db, principal, user_id, data.value == "1")
        return await self._user_change(request, db, principal, user_id, change)

    @post("/users/{user_id:int}/membership", status_code=200)
    async def set_membership(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        user_id: int,
        data: MembershipData,
    ) -> Response[Any]:
        change = staff.set_membership(db, principal, user_id, data.office_id, data.role or None)
        return await self._user_change(request, db, principal, user_id, change)

    @post("/users/{user_id:int}/password", status_code=200)
    async def reset_password(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        user_id: int,
        data: PasswordData,
    ) -> Response[Any]:
        change = staff.reset_password(db, principal, user_id, data.password)
        return await self._user_change(request, db, principal, user_id, change)

    # -- channel accounts ------------------------------------------------------------------
    @get("/channels")
    async def channels(self, request: Request, db: AsyncSession, principal: Principal) -> Template:
        context = {"rows": await office_admin.channel_health(db), "section": "channels"}
        return await render_page(request, db, principal, "admin/channels.html", context)

    # -- inbound events --------------------------------------------------------------------
    @get("/events")
    async def events(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        status: str | None = None,
        before: int | None = None,
    ) -> Template:
        chosen = status if status in SHOWN_STATUSES else ""
        try:
            items = await inbound_events.list_events(db, principal, chosen or None, before, 50)
        except inbound_events.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        context: dict[str, Any] = {
            "events": items,
            "statuses": SHOWN_STATUSES,
            "chosen": chosen,
            "next_before": items[-1].id if len(items) == 50 else None,
            "replayable": set(inbound_events.PROBLEMS),
            "section": "events",
        }
        return await render_page(request, db, principal, "admin/events.html", context)

    @post("/events/{event_id:int}/replay")
    async def replay(
        self, db: AsyncSession, rt: Runtime, principal: Principal, event_id: int
    ) -> Redirect:
        try:
            await inbound_events.replay(db, principal, event_id)
        except inbound_events.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        except inbound_events.NotReplayable as exc:
            raise NotFoundException(str(exc)) from exc
        await db.commit()
        rt.inbound_wakeup()
        return see_other(f"/admin/events?replayed={event_id}")

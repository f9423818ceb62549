"""Public pages, no login: the complaint form (`/publik/aduan`) and the status page
(`/publik/status`). Light for a cheap phone: no JavaScript, one small inline stylesheet.

Flood and spam protection without third parties: the app's CSRF token; a honeypot field people
never see; a signed time stamp, so a form sent sooner than `MIN_FILL_SECONDS` after it was
served (or older than `MAX_FORM_AGE`) is refused; size limits on every field, file and the whole
request; and limits per client address (`inbox.throttle`: shared through Redis when the install
has it, like the login throttle). The status
page answers the same for a wrong register number and wrong digits, and refuses guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import public_form, status_lookup
from helpdesk.db import transaction
from helpdesk.runtime import Runtime
from helpdesk.throttle import ThrottleStore
from inbox.throttle import throttles_of
from inbox.web import render

MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 2 * 3600
FORM_BODY_LIMIT = public_form.MAX_FILES * public_form.MAX_FILE_BYTES + 256 * 1024
MAX_FIELD = public_form.MAX_TEXT + 100
HONEYPOT = "website"  # a field a person never sees nor fills
FormBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
StatusBody = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


class SubmitThrottle:
    """At most `limit` complaints per address in `window` seconds."""

    def __init__(self, store: ThrottleStore, limit: int = 5, window: float = 3600) -> None:
        self.store, self.limit, self.window = store, limit, window

    async def allow(self, address: str) -> bool:
        return await self.store.take("form-address:" + address, self.limit, self.window)


def form_token(secret: str, issued_at: int) -> str:
    """When the form was served, signed so it cannot be made up."""
    mac = hmac.new(secret.encode(), f"public-form:{issued_at}".encode(), hashlib.sha256)
    return f"{issued_at}.{mac.hexdigest()[:24]}"


def token_age(secret: str, token: str, now: float | None = None) -> float | None:
    issued, _, _ = token.partition(".")
    if not issued.isdigit() or len(token) > 60:
        return None
    if not hmac.compare_digest(form_token(secret, int(issued)), token):
        return None
    return (time.time() if now is None else now) - int(issued)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def _files(data: dict[str, Any]) -> list[UploadFile]:
    value = data.get("photos")
    items = value if isinstance(value, list) else [value]
    return [f for f in items if isinstance(f, UploadFile) and f.filename]


class PublicController(Controller):
    path = "/publik"
    include_in_schema = False

    async def _form_page(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        *,
        error: str | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        offices = await public_form.offices_taking_complaints(db)
        return render(
            request,
            "public/form.html",
            {
                "public_offices": offices,
                "token": form_token(rt.settings.secret_key, int(time.time())),
                "error": error,
                "values": values or {},
                "max_files": public_form.MAX_FILES,
                "max_mb": public_form.MAX_FILE_BYTES // (1024 * 1024),
                "honeypot": HONEYPOT,
            },
            status_code=status_code,
        )

    @get("/")
    async def home(self, request: Request) -> Template:
        return render(request, "public/home.html")

    @get("/aduan")
    async def form(self, request: Request, db: AsyncSession, rt: Runtime) -> Template:
        return await self._form_page(request, db, rt)

    @post("/aduan", status_code=200, request_max_body_size=FORM_BODY_LIMIT)
    async def submit(
        self, request: Request, db: AsyncSession, rt: Runtime, data: FormBody
    ) -> Template:
        values = {k: _text(data, k) for k in ("office", "name", "text", "phone", "email")}
        if _text(data, HONEYPOT):
            return await self._form_page(request, db, rt, error="spam", status_code=400)
        age = token_age(rt.settings.secret_key, _text(data, "t"))
        if age is None or age > MAX_FORM_AGE:
            return await self._form_page(
                request, db, rt, error="expired", values=values, status_code=400
            )
        if age < MIN_FILL_SECONDS:
            return await self._form_page(
                request, db, rt, error="too_fast", values=values, status_code=400
            )
        throttles = throttles_of(request.app)
        if not await SubmitThrottle(throttles.store).allow(throttles.client(request)):
            return await self._form_page(
                request, db, rt, error="flood", values=values, status_code=429
            )
        files = _files(data)
        photos = []
        for upload in files[: public_form.MAX_FILES + 1]:
            content = await upload.read(public_form.MAX_FILE_BYTES + 1)
            photos.append(public_form.Photo(upload.filename[:255], content))
        complaint = public_form.Complaint(
            office_code=values["office"],
            text=values["text"],
            name=values["name"],
            phone=values["phone"],
            email=values["email"],
            photos=tuple(photos),  # one too many, when there are, is refused by the check
        )
        try:
            async with transaction(rt.sessions) as session:
                filed = await public_form.file_complaint(session, rt.storage, complaint)
        except public_form.Refused as exc:
            return await self._form_page(
                request, db, rt, error=exc.code, values=values, status_code=400
            )
        return render(request, "public/filed.html", {"filed": filed})

    @get("/status")
    async def status_form(self, request: Request) -> Template:
        return render(request, "public/status.html", {"values": {}})

    @post("/status", status_code=200)
    async def status(self, request: Request, db: AsyncSession, data: StatusBody) -> Template:
        register_no = _text(data, "register")[: status_lookup.MAX_REGISTER]
        digits = _text(data, "digits")[:20]
        values = {"register": register_no}
        throttles = throttles_of(request.app)
        throttle = status_lookup.StatusThrottle(throttles.store)
        if not await throttle.allow(throttles.client(request), register_no):
            return render(
                request,
                "public/status.html",
                {"values": values, "error": "throttled"},
                status_code=429,
            )
        found = await status_lookup.find(db, register_no, digits)
        if found is None:
            await throttle.failed(register_no)
            return render(
                request,
                "public/status.html",
                {"values": values, "error": "not_found"},
                status_code=404,
            )
        return render(request, "public/status.html", {"values": values, "found": found})


PUBLIC_ROUTES: list[Any] = [PublicController]

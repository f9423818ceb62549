"""Changing one's own password: the current one is checked, the other sessions end."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from helpdesk.models import ApiToken, AuditEvent, User
from tests.conftest import PASSWORD
from tests.inbox.conftest import login, post_form

NEW = "kata-sandi-baru-2026"


def _change(current: str = PASSWORD, new: str = NEW, repeat: str | None = None) -> dict[str, str]:
    return {"current": current, "new": new, "repeat": new if repeat is None else repeat}


async def test_the_password_page_is_reachable_from_the_nav(brebes):
    page = await brebes.get("/")
    assert 'href="/account/password"' in page.text
    form = await brebes.get("/account/password")
    assert form.status_code == 200
    assert 'name="_csrf_token"' in form.text and 'autocomplete="current-password"' in form.text


async def test_changing_the_password_keeps_this_session_and_ends_the_others(rt, app, brebes, seed):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
        await login(other, "admin_brebes")
        assert (await other.get("/")).status_code == 200
        changed = await post_form(brebes, "/account/password", _change())
        assert changed.status_code == 303
        assert (await brebes.get("/")).status_code == 200  # this browser carries on
        assert (await other.get("/", follow_redirects=False)).status_code == 303  # to the login
        assert (await login(other, "admin_brebes", PASSWORD)).status_code == 400
        assert (await login(other, "admin_brebes", NEW)).status_code == 303
    # API tokens are separate credentials for scripts: a routine change keeps them.
    api = await brebes.get("/api/v1/tickets", headers=seed.bearer("admin_brebes"))
    assert api.status_code == 200
    async with rt.sessions() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.password_changed")
        )
        assert event is not None and event.user_id == seed.users["admin_brebes"]
        tokens = list(await session.scalars(select(ApiToken)))
        assert all(t.revoked_at is None for t in tokens)


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        (_change(current="salah-sekali"), "sekarang salah"),
        (_change(current=""), "sekarang salah"),
        (_change(repeat="lain-lagi-2026"), "tidak sama"),
        (_change(new="pendek"), "minimal 8"),
        (_change(new=PASSWORD), "sama dengan yang lama"),
        (_change(new="admin_brebes"), "nama pengguna"),
        (_change(current="x" * 5000), "sekarang salah"),
    ],
)
async def test_refused_changes_change_nothing(rt, brebes, seed, form, reason):
    async with rt.sessions() as session:
        before = (await session.get_one(User, seed.users["admin_brebes"])).password_hash
    response = await post_form(brebes, "/account/password", form)
    assert response.status_code == 400
    assert reason in response.text
    assert (await brebes.get("/")).status_code == 200  # still signed in
    async with rt.sessions() as session:
        user = await session.get_one(User, seed.users["admin_brebes"])
        assert user.password_hash == before and user.session_version == 0


async def test_a_change_without_the_csrf_token_is_refused(rt, brebes, seed):
    response = await brebes.post("/account/password", data=_change())
    assert response.status_code == 403
    async with rt.sessions() as session:
        assert (await session.get_one(User, seed.users["admin_brebes"])).session_version == 0


async def test_guessing_the_current_password_is_throttled(brebes):
    statuses = [
        (await post_form(brebes, "/account/password", _change(current=f"tebak-{n}"))).status_code
        for n in range(12)
    ]
    assert statuses[0] == 400 and statuses[-1] == 429
    # Even the right password waits until the lock runs out.
    assert (await post_form(brebes, "/account/password", _change())).status_code == 429


async def test_signed_out_visitors_are_sent_to_the_login(client, seed):
    page = await client.get("/account/password", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    posted = await post_form(client, "/account/password", _change())
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")


async def test_logout_ends_the_session(brebes):
    assert (await post_form(brebes, "/logout", {})).status_code == 303
    assert (await brebes.get("/account/password", follow_redirects=False)).status_code == 303

"""The superuser's screens: offices, users, channel accounts and their health."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from helpdesk.db import transaction
from helpdesk.models import (
    AccountHealth,
    ApiToken,
    AuditEvent,
    ChannelAccount,
    Membership,
    Office,
    User,
    utcnow,
)
from tests.conftest import PASSWORD, inbound
from tests.inbox.conftest import login, post_form

ADMIN_PAGES = ["/admin/offices", "/admin/offices/1", "/admin/users", "/admin/users/1"]
ADMIN_PAGES += ["/admin/channels", "/admin/events"]
ADMIN_FORMS = [
    ("/admin/offices/1", {"name": "X", "timezone": "Asia/Jakarta", "sop": "default"}),
    ("/admin/users", {"username": "x", "password": "panjang-sekali", "role": "admin"}),
    ("/admin/users/1/active", {"value": "0"}),
    ("/admin/users/1/superuser", {"value": "1"}),
    ("/admin/users/1/membership", {"office_id": "2", "role": "kadis"}),
    ("/admin/users/1/password", {"password": "baru-sekali-123"}),
]


@pytest.fixture
async def root(client, seed):  # type: ignore[no-untyped-def]
    assert (await login(client, "root")).status_code == 303
    return client


async def test_non_superusers_get_403_everywhere(rt, client, seed):
    await login(client, "admin_brebes")
    for url in ADMIN_PAGES:
        assert (await client.get(url)).status_code == 403, url
    for url, data in ADMIN_FORMS:
        assert (await post_form(client, url, data)).status_code == 403, url
    page = await client.get("/")
    assert 'href="/admin/offices"' not in page.text
    async with rt.sessions() as session:
        office = await session.get_one(Office, 1)
        assert office.name != "X"
        assert await session.scalar(select(User).where(User.username == "x")) is None


async def test_signed_out_visitors_are_sent_to_the_login(client, seed):
    response = await client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_the_nav_links_the_admin_screens_for_superusers(root):
    page = await root.get("/")
    assert 'href="/admin/offices"' in page.text
    assert 'href="/account/password"' in page.text


async def test_editing_an_office(rt, root, seed):
    brebes = seed.offices["brebes"]
    page = await root.get(f"/admin/offices/{brebes}")
    assert page.status_code == 200 and 'name="sop"' in page.text
    saved = await post_form(
        root,
        f"/admin/offices/{brebes}",
        {"name": "Disdukcapil Brebes", "timezone": "Asia/Makassar", "sop": "default"},
    )
    assert saved.status_code == 303
    async with rt.sessions() as session:
        office = await session.get_one(Office, brebes)
        assert (office.name, office.timezone, office.sop) == (
            "Disdukcapil Brebes",
            "Asia/Makassar",
            "default",
        )
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "office.updated")
        )
        assert event is not None and event.detail["changed"]["sop"] == ["brebes", "default"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "x" * 201),
        ("timezone", "Mars/Olympus"),
        ("timezone", "UTC"),
        ("sop", "../../etc/passwd"),
        ("sop", "nonexistent"),
    ],
)
async def test_bad_office_fields_are_refused_and_change_nothing(rt, root, seed, field, value):
    brebes = seed.offices["brebes"]
    data = {"name": "Brebes baru", "timezone": "Asia/Jakarta", "sop": "brebes", field: value}
    response = await post_form(root, f"/admin/offices/{brebes}", data)
    assert response.status_code == 400
    async with rt.sessions() as session:
        office = await session.get_one(Office, brebes)
        assert office.name.startswith("Dinas") and office.sop == "brebes"


async def test_creating_a_user_who_can_then_sign_in(rt, root, client, seed):
    response = await post_form(
        root,
        "/admin/users",
        {
            "username": "Petugas.Baru",
            "full_name": "Petugas <b>Baru</b>",
            "password": "sandi-yang-panjang",
            "office": "brebes",
            "role": "cs",
        },
    )
    assert response.status_code == 303
    listing = await root.get("/admin/users")
    assert "petugas.baru" in listing.text and "&lt;b&gt;Baru&lt;/b&gt;" in listing.text
    async with rt.sessions() as session:
        user = await session.scalar(select(User).where(User.username == "petugas.baru"))
        assert user is not None
        roles = list(await session.scalars(select(Membership).where(Membership.user_id == user.id)))
        assert [(m.office_id, m.role) for m in roles] == [(seed.offices["brebes"], "cs")]
    await post_form(root, "/logout", {})
    assert (await login(root, "petugas.baru", "sandi-yang-panjang")).status_code == 303


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"username": "admin_brebes", "password": "sandi-yang-panjang"}, "sudah dipakai"),
        ({"username": "pendek", "password": "1234567"}, "minimal 8"),
        ({"username": "sama-saja", "password": "sama-saja"}, "nama pengguna"),
        ({"username": "bad name!", "password": "sandi-yang-panjang"}, "huruf, angka"),
        ({"username": "nooffice", "password": "sandi-yang-panjang", "office": ""}, "kantor"),
        ({"username": "badrole", "password": "sandi-yang-panjang", "role": "raja"}, "Peran"),
    ],
)
async def test_refused_new_users(rt, root, seed, data, reason):
    form = {"office": "brebes", "role": "admin", **data}
    response = await post_form(root, "/admin/users", form)
    assert response.status_code == 400
    assert reason in response.text
    async with rt.sessions() as session:
        count = len(list(await session.scalars(select(User))))
    assert count == 4


async def test_deactivating_a_user_ends_their_session_and_token(rt, root, client, seed, app):
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
        await login(other, "admin_brebes")
        assert (await other.get("/")).status_code == 200
        user_id = seed.users["admin_brebes"]
        response = await post_form(root, f"/admin/users/{user_id}/active", {"value": "0"})
        assert response.status_code == 303
        assert (await other.get("/", follow_redirects=False)).status_code == 303  # to login
        api = await other.get("/api/v1/tickets", headers=seed.bearer("admin_brebes"))
        assert api.status_code == 401
        assert (await login(other, "admin_brebes")).status_code == 400
        await post_form(root, f"/admin/users/{user_id}/active", {"value": "1"})
        assert (await login(other, "admin_brebes")).status_code == 303


async def test_a_superuser_cannot_lock_themselves_out(rt, root, seed):
    me = seed.users["root"]
    assert (await post_form(root, f"/admin/users/{me}/active", {"value": "0"})).status_code == 400
    demote = await post_form(root, f"/admin/users/{me}/superuser", {"value": "0"})
    assert demote.status_code == 400
    async with rt.sessions() as session:
        user = await session.get_one(User, me)
        assert user.active and user.is_superuser


async def test_memberships_and_roles(rt, root, seed):
    user_id, tomohon = seed.users["admin_brebes"], seed.offices["tomohon"]
    add = {"office_id": str(tomohon), "role": "kabid"}
    assert (await post_form(root, f"/admin/users/{user_id}/membership", add)).status_code == 303
    bad = {"office_id": str(tomohon), "role": "superuser"}
    assert (await post_form(root, f"/admin/users/{user_id}/membership", bad)).status_code == 400
    missing = {"office_id": "999", "role": "admin"}
    assert (await post_form(root, f"/admin/users/{user_id}/membership", missing)).status_code == 404
    async with rt.sessions() as session:
        roles = {
            m.office_id: m.role
            for m in await session.scalars(select(Membership).where(Membership.user_id == user_id))
        }
    assert roles == {seed.offices["brebes"]: "admin", tomohon: "kabid"}
    remove = {"office_id": str(tomohon), "role": ""}
    assert (await post_form(root, f"/admin/users/{user_id}/membership", remove)).status_code == 303
    async with rt.sessions() as session:
        left = list(await session.scalars(select(Membership).where(Membership.user_id == user_id)))
    assert [m.office_id for m in left] == [seed.offices["brebes"]]


async def test_a_password_reset_ends_sessions_and_revokes_tokens(rt, root, seed, app):
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
        await login(other, "admin_brebes")
        user_id = seed.users["admin_brebes"]
        short = await post_form(root, f"/admin/users/{user_id}/password", {"password": "short"})
        assert short.status_code == 400
        assert (await other.get("/")).status_code == 200  # a refused reset changes nothing
        reset = await post_form(
            root, f"/admin/users/{user_id}/password", {"password": "sandi-baru-dari-root"}
        )
        assert reset.status_code == 303
        assert (await other.get("/", follow_redirects=False)).status_code == 303
        assert (await login(other, "admin_brebes", PASSWORD)).status_code == 400
        assert (await login(other, "admin_brebes", "sandi-baru-dari-root")).status_code == 303
    async with rt.sessions() as session:
        tokens = list(await session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))
        assert tokens and all(t.revoked_at is not None for t in tokens)
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.password_reset")
        )
        assert event is not None and event.user_id == seed.users["root"]


async def test_channel_accounts_and_their_health(rt, root, seed):
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(ChannelAccount)
            .where(ChannelAccount.office_id == seed.offices["tomohon"])
            .values(
                health=AccountHealth.needs_attention,
                last_error="[190] Error validating access token <script>",
                last_error_at=utcnow(),
                last_inbound_at=utcnow(),
            )
        )
    page = await root.get("/admin/channels")
    assert page.status_code == 200
    assert "WA Pengaduan Brebes" in page.text and "WA Dukcapil Tomohon" in page.text
    assert "Perlu perhatian" in page.text
    assert "[190] Error validating access token &lt;script&gt;" in page.text
    assert "<script>" not in page.text


def test_every_refusal_and_label_the_screens_compose_is_in_the_catalogue():
    import re
    from pathlib import Path

    from helpdesk.models import AccountHealth, Role
    from inbox.messages import CATALOGUE

    root = Path(__file__).resolve().parents[2] / "helpdesk"
    codes = set()
    for name in ("staff.py", "office_admin.py"):
        codes |= set(re.findall(r'StaffError\("([a-z_]+)"', (root / name).read_text()))
    assert {"wrong_current", "not_yourself", "timezone"} <= codes
    keys = {f"admin.error.{code}" for code in codes}
    keys |= {f"admin.role.{role}" for role in Role}
    keys |= {f"admin.health.{h}" for h in (*AccountHealth, "inactive")}
    keys |= {f"admin.section.{s}" for s in ("offices", "users", "channels", "events")}
    assert not sorted(keys - set(CATALOGUE))


async def test_every_admin_form_carries_the_csrf_token_and_needs_it(rt, root, seed, receive):
    import re

    await receive(inbound("NIK saya 3329010101900001"))
    pages = [*ADMIN_PAGES, "/account/password", "/contacts/1", "/tickets/1"]
    posting = 0
    for url in pages:
        html = (await root.get(url)).text
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S):
            posting += 1
            assert 'name="_csrf_token" value="' in form, (url, form[:200])
    assert posting > 10
    for url, data in ADMIN_FORMS:
        assert (await root.post(url, data=data)).status_code == 403, url
    async with rt.sessions() as session:
        assert (await session.get_one(Office, 1)).name != "X"
        assert (await session.get_one(User, 1)).active


async def test_creating_a_superuser_gives_no_office_role(rt, root, seed):
    form = {"username": "root2", "password": "sandi-yang-panjang", "office": "brebes"}
    response = await post_form(root, "/admin/users", {**form, "role": "superuser"})
    assert response.status_code == 303
    async with rt.sessions() as session:
        user = await session.scalar(select(User).where(User.username == "root2"))
        assert user is not None and user.is_superuser
        roles = list(await session.scalars(select(Membership).where(Membership.user_id == user.id)))
        assert roles == []

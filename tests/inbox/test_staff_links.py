"""The inbox page where a user gets a one-time code to link their Telegram account."""

from __future__ import annotations

import re

from sqlalchemy import select

from helpdesk.consultation_mirror import links
from helpdesk.db import transaction
from helpdesk.models import AuditEvent, StaffIdentity
from tests.inbox.conftest import post_form


async def test_a_signed_in_user_gets_a_code_that_links_their_account(brebes, rt, seed):  # type: ignore[no-untyped-def]
    page = await brebes.get("/account/telegram")
    assert page.status_code == 200
    assert "Belum ada akun Telegram yang tertaut" in page.text

    shown = await post_form(brebes, "/account/telegram/code", {})
    assert shown.status_code == 200
    code = re.search(r"/link ([A-Z0-9]{8})", shown.text).group(1)  # type: ignore[union-attr]
    async with transaction(rt.sessions) as session:
        user = await links.redeem(session, "telegram", "424242", "Budi <script>", code)
    assert user.id == seed.users["admin_brebes"]

    page = await brebes.get("/account/telegram")
    assert "ID 424242" in page.text and "Budi &lt;script&gt;" in page.text
    await post_form(brebes, "/account/telegram/unlink", {})
    async with rt.sessions() as session:
        assert list(await session.scalars(select(StaffIdentity))) == []
        actions = list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-3:] == [
        "staff_link.code_created",
        "staff_link.linked",
        "staff_link.unlinked",
    ]


async def test_asking_for_a_code_needs_the_csrf_token_and_a_session(client, brebes):  # type: ignore[no-untyped-def]
    refused = await brebes.post("/account/telegram/code", data={})
    assert refused.status_code == 403
    async with __import__("httpx").AsyncClient(
        transport=client._transport, base_url="http://testserver.local"
    ) as anonymous:
        response = await anonymous.get("/account/telegram")
    assert response.status_code in (302, 303, 401)

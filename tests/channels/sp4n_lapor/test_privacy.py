"""A LAPOR reporter's anonymity and a report's confidentiality, as every reader sees them:
the JSON API, the inbox pages, search, and the raw event log."""

from __future__ import annotations

import pytest

from helpdesk.auth import create_token
from helpdesk.db import transaction
from helpdesk.models import Membership, Role, User
from tests.channels.sp4n_lapor.helpers import events, poll_once, tickets
from tests.conftest import _password_hash
from tests.inbox.conftest import login

SECRET = "Pungutan liar di loket KTP-el oleh oknum petugas"


@pytest.fixture
async def cs_token(rt, seed) -> str:
    """Customer service at Tomohon: sees the office's tickets, handles no SOP step."""
    async with transaction(rt.sessions) as session:
        user = User(username="cs_tomohon", full_name="CS Tomohon", password_hash=_password_hash())
        session.add(user)
        await session.flush()
        session.add(Membership(user_id=user.id, office_id=seed.offices["tomohon"], role=Role.cs))
        return await create_token(session, user, "tests")


async def _ticket_json(client, token: str, ticket_id: int) -> tuple[dict, dict, dict]:
    headers = {"Authorization": f"Bearer {token}"}
    detail = (await client.get(f"/api/v1/tickets/{ticket_id}", headers=headers)).json()
    messages = (await client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=headers)).json()
    listed = (await client.get("/api/v1/tickets?office=tomohon", headers=headers)).json()
    return detail, messages, listed


async def test_a_confidential_report_is_hidden_from_roles_that_do_not_handle_it(
    rt, client, seed, cs_token, lapor_sim, lapor_account
):
    lapor_sim.file(SECRET, title="Pungli di loket", confidential=True)
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    assert ticket.confidential

    detail, messages, listed = await _ticket_json(client, cs_token, ticket.id)
    assert detail["register_no"] == ticket.register_no and detail["confidential"] is True
    assert detail["subject"] == "" and [m["body"] for m in messages["items"]] == [""]
    assert "Pungli" not in str(listed) and "Pungutan" not in str(messages)
    headers = {"Authorization": f"Bearer {cs_token}"}
    found = await client.get("/api/v1/tickets?q=Pungutan", headers=headers)
    assert found.status_code == 200 and found.json()["items"] == []

    assert (await login(client, "cs_tomohon")).status_code == 303
    page = await client.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200 and ticket.register_no in page.text
    assert "Pungutan" not in page.text and "Pungli" not in page.text
    assert "hanya dapat dibaca oleh pejabat" in page.text
    assert "Pungli" not in (await client.get("/")).text

    detail, messages, _ = await _ticket_json(client, seed.tokens["kasie_tomohon"], ticket.id)
    assert detail["subject"] == "Pungli di loket"
    assert [m["body"] for m in messages["items"]] == [SECRET]
    client.cookies.clear()
    assert (await login(client, "kasie_tomohon")).status_code == 303
    assert SECRET in (await client.get(f"/tickets/{ticket.id}")).text


async def test_an_anonymous_reporter_never_appears_anywhere(
    rt, client, seed, lapor_sim, lapor_account
):
    tracking = lapor_sim.file(
        "Data KK saya tertukar.", name="Yohanes Wenas", phone="081234567890", anonymous=True
    )
    lapor_sim.reply(tracking, "Mohon kabarnya.")
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    for token in (seed.tokens["kasie_tomohon"], seed.tokens["root"]):
        assert "Yohanes" not in str(await _ticket_json(client, token, ticket.id))
        assert "081234567890" not in str(await _ticket_json(client, token, ticket.id))
    assert all(b"Yohanes" not in e.body for e in await events(rt))

    assert (await login(client, "root")).status_code == 303
    for url in (f"/tickets/{ticket.id}", "/", "/admin/events?status=processed"):
        page = await client.get(url)
        assert page.status_code == 200, url
        assert "Yohanes" not in page.text and "081234567890" not in page.text
    assert "Pelapor anonim" in (await client.get(f"/tickets/{ticket.id}")).text

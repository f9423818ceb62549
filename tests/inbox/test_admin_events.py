"""The superuser's screen of inbound events that did not become messages."""

from __future__ import annotations

import hashlib
import hmac

from tests.conftest import APP_SECRET
from tests.inbox.conftest import login, post_form


async def rejected_event(client, jobs) -> None:  # type: ignore[no-untyped-def]
    body = b'{"object": "whatsapp_business_account", "entry": [<script>alert(1)</script>'
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": f"sha256={digest}"}
    )
    await jobs.drain()


async def test_a_superuser_sees_the_rejected_body_escaped_and_can_replay_it(client, seed, jobs):
    await rejected_event(client, jobs)
    await login(client, "root")
    page = await client.get("/admin/events")
    assert page.status_code == 200
    assert "Tidak terbaca" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    replay = await post_form(client, "/admin/events/1/replay", {})
    assert replay.status_code == 303
    await jobs.drain()
    # The body is still unreadable, so processing rejects it again: it stays listed.
    assert "Tidak terbaca" in (await client.get("/admin/events")).text


async def test_an_office_admin_may_not_see_raw_events(client, seed, jobs):
    await rejected_event(client, jobs)
    await login(client, "admin_brebes")
    assert (await client.get("/admin/events")).status_code == 403
    assert (await post_form(client, "/admin/events/1/replay", {})).status_code == 403

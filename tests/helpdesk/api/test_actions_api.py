"""`POST /api/v1/tickets/{id}/actions` and the `step` and `actions` a ticket shows its user."""

from __future__ import annotations

from tests.conftest import TOMOHON_WA, inbound


async def tomohon_ticket(receive) -> int:  # type: ignore[no-untyped-def]
    return (await receive(inbound("KTP saya rusak", account=TOMOHON_WA))).ticket_id


async def test_a_ticket_shows_its_step_and_the_users_actions(client, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    url = f"/api/v1/tickets/{ticket_id}"
    kasie = (await client.get(url, headers=staff.bearer("kasie_tomohon"))).json()
    assert (kasie["step"], kasie["step_label"]) == (
        "kasie",
        "Kasie menerima, menganalisa dan menjawab solusi",
    )
    assert [a["name"] for a in kasie["actions"]] == [
        "jawab",
        "eskalasi",
        "kembalikan",
        "set_category",
        "assign",
    ]
    [reply] = [a for a in kasie["actions"] if a["name"] == "jawab"]
    assert reply == {
        "name": "jawab",
        "label": "Jawab solusi",
        "kind": "reply",
        "fields": [
            {"name": "body", "label": "Jawaban untuk pemohon", "type": "textarea", "required": True}
        ],
    }
    assert kasie["deadline"]["state"] == "ok" and kasie["due_at"] and kasie["step_due_at"]
    admin = (await client.get(url, headers=staff.bearer("admin_tomohon"))).json()
    assert [a["name"] for a in admin["actions"]] == ["set_category", "assign"]
    listed = (await client.get("/api/v1/tickets", headers=staff.bearer("kasie_tomohon"))).json()
    assert listed["items"][0]["actions"] == kasie["actions"]


async def test_taking_an_action_answers_with_the_ticket_after_it(client, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions",
        json={"action": "eskalasi", "reason": "Perlu keputusan Kabid"},
        headers=staff.bearer("kasie_tomohon"),
    )
    assert response.status_code == 200
    ticket = response.json()
    assert (ticket["step"], ticket["status"], ticket["actions"]) == ("kabid", "open", [])
    kabid = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions",
        json={
            "action": "putuskan",
            "outcome": "answer",
            "reason": "Cetak ulang",
            "body": "Silakan ambil KTP baru di loket 1.",
        },
        headers=staff.bearer("kabid_tomohon"),
    )
    assert (kabid.status_code, kabid.json()["status"]) == (200, "resolved")
    timeline = await client.get(
        f"/api/v1/tickets/{ticket_id}/messages", headers=staff.bearer("kabid_tomohon")
    )
    assert [(m["direction"], m["status"]) for m in timeline.json()["items"]][-1] == (
        "out",
        "queued",
    )


async def test_the_wrong_role_gets_403(client, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions",
        json={"action": "jawab", "body": "Halo"},
        headers=staff.bearer("admin_tomohon"),
    )
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert "kasie" in response.json()["detail"]
    after = await client.get(f"/api/v1/tickets/{ticket_id}", headers=staff.bearer("kasie_tomohon"))
    assert (after.json()["step"], after.json()["status"]) == ("kasie", "new")


async def test_an_action_the_step_does_not_allow_gets_409(client, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions",
        json={"action": "putuskan", "outcome": "reject", "reason": "x"},
        headers=staff.bearer("kabid_tomohon"),
    )
    assert response.status_code == 409
    assert set(response.json()) == {"error", "detail"}


async def test_missing_or_invalid_fields_get_422(client, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    url = f"/api/v1/tickets/{ticket_id}/actions"
    for body in (
        {"action": "eskalasi"},
        {"action": "eskalasi", "reason": 5},
        {"action": "kembalikan", "missing": ["Akta cerai"]},
        {"action": "terbang"},
        {"reason": "no action named"},
    ):
        response = await client.post(url, json=body, headers=staff.bearer("kasie_tomohon"))
        assert (response.status_code, response.json()["error"]) == (422, "invalid"), body


async def test_another_offices_ticket_is_not_found(client, receive, staff):
    ticket_id = await tomohon_ticket(receive)
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions",
        json={"action": "jawab", "body": "x"},
        headers=staff.bearer("kasie_brebes"),
    )
    assert response.status_code == 404

"""Labels (scoped to the ticket's office) and canned answers (kept per office by its admins,
with variables filled in for the ticket, inserted into the reply box)."""

from __future__ import annotations

import re

from sqlalchemy import select

from helpdesk.models import CannedAnswer, Label
from tests.inbox.conftest import HTMX, csrf_token, post_form
from tests.inbox.desk import audit_count, browser_for, desk_staff

__all__ = ["browser_for", "desk_staff"]  # fixtures


async def office_labels(rt, office_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.scalars(select(Label.name).where(Label.office_id == office_id))
        return sorted(rows)


async def test_a_label_is_added_once_and_removed(browser_for, rt, ticket, desk_staff):
    tid = await ticket()
    async with browser_for("admin_brebes") as admin:
        for _ in range(2):
            response = await post_form(admin, f"/tickets/{tid}/labels", {"name": "  Viral  "})
            assert response.status_code == 303
        page = (await admin.get(f"/tickets/{tid}")).text
        assert '<li class="chip">viral' in page
        assert await office_labels(rt, desk_staff.offices["brebes"]) == ["viral"]
        events = await audit_count(rt, tid)
        [label_id] = {int(x) for x in re.findall(rf"/tickets/{tid}/labels/(\d+)/remove", page)}
        htmx = await post_form(
            admin,
            f"/tickets/{tid}/labels/{label_id}/remove",
            {},
            headers={"x-csrftoken": await csrf_token(admin), **HTMX},
        )
        assert htmx.status_code == 200 and 'id="labels"' in htmx.text
        assert "Belum ada label." in htmx.text
    assert await audit_count(rt, tid) == events + 1


async def test_labels_belong_to_the_tickets_office(browser_for, rt, ticket, desk_staff):
    brebes_ticket = await ticket()
    tomohon_ticket = await ticket("Tomohon", office="tomohon")
    async with browser_for("admin_brebes") as admin:
        await post_form(admin, f"/tickets/{brebes_ticket}/labels", {"name": "rahasia brebes"})
        assert (
            await post_form(admin, f"/tickets/{tomohon_ticket}/labels", {"name": "x"})
        ).status_code == 404
    async with rt.sessions() as session:
        brebes_label = await session.scalar(select(Label.id))
    async with browser_for("admin_tomohon") as other:
        page = (await other.get(f"/tickets/{tomohon_ticket}")).text
        assert "rahasia brebes" not in page  # not offered in Tomohon's list either
        response = await post_form(
            other, f"/tickets/{tomohon_ticket}/labels/{brebes_label}/remove", {}
        )
        assert response.status_code == 303  # nothing of Tomohon's to remove
    assert await office_labels(rt, desk_staff.offices["brebes"]) == ["rahasia brebes"]
    assert await office_labels(rt, desk_staff.offices["tomohon"]) == []


async def test_hostile_label_names_are_refused(browser_for, rt, ticket, desk_staff):
    tid = await ticket()
    async with browser_for("admin_brebes") as admin:
        for name, message in (
            ("<b>x</b>", "tidak boleh memuat"),
            ("x" * 41, "paling banyak 40 karakter"),
            ("   ", "masih kosong"),
        ):
            response = await post_form(admin, f"/tickets/{tid}/labels", {"name": name})
            assert response.status_code == 400, name
            assert message in response.text
    assert await office_labels(rt, desk_staff.offices["brebes"]) == []


async def test_admins_keep_canned_answers_and_they_fill_in_the_ticket(browser_for, rt, ticket):
    tid = await ticket("KTP saya rusak", name="Siti Aminah")
    body = "Yth. {name}, pengaduan {register_no} di {office} kami proses. {name.__class__}"
    async with browser_for("admin_brebes") as admin:
        response = await post_form(
            admin, "/canned", {"office": "brebes", "title": "Diproses", "body": body}
        )
        assert response.status_code == 303
        duplicate = await post_form(
            admin, "/canned", {"office": "brebes", "title": "Diproses", "body": "lagi"}
        )
        assert duplicate.status_code == 400
        assert "Sudah ada jawaban dengan judul ini." in duplicate.text
        async with rt.sessions() as session:
            [answer] = list(await session.scalars(select(CannedAnswer)))
        page = (await admin.get(f"/tickets/{tid}")).text
        assert f'<option value="{answer.id}"' in page
        filled = await admin.get(
            f"/tickets/{tid}/canned",
            params={"canned_id": answer.id, "body": "Halo"},
            headers=HTMX,
        )
        assert filled.status_code == 200
        assert filled.text.startswith('<textarea id="reply-body"')
        assert "Halo\n\nYth. Siti Aminah, pengaduan ADU/BREBES/" in filled.text
        assert "Kabupaten Brebes kami proses. {name.__class__}" in filled.text
        assert (
            await admin.get(f"/tickets/{tid}/canned", params={"canned_id": "x"})
        ).status_code == 404
    async with browser_for("admin_tomohon") as other:
        other_ticket = await ticket("Tomohon", office="tomohon")
        response = await other.get(
            f"/tickets/{other_ticket}/canned", params={"canned_id": answer.id}
        )
        assert response.status_code == 404  # Brebes' answer is not Tomohon's


async def test_the_canned_answer_picker_works_without_javascript(browser_for, rt, ticket):
    """The picker is a GET form with its own button (shown without JavaScript): submitting it
    answers the whole ticket page with the answer, filled in, in the reply box."""
    tid = await ticket("KTP saya rusak", name="Siti Aminah")
    async with browser_for("admin_brebes") as admin:
        await post_form(
            admin, "/canned", {"office": "brebes", "title": "Diproses", "body": "Yth. {name}."}
        )
        async with rt.sessions() as session:
            [answer] = list(await session.scalars(select(CannedAnswer)))
        page = (await admin.get(f"/tickets/{tid}")).text
        assert f'<form class="canned" method="get" action="/tickets/{tid}/canned">' in page
        assert '<noscript><button type="submit">Sisipkan</button></noscript>' in page
        response = await admin.get(f"/tickets/{tid}/canned", params={"canned_id": answer.id})
        assert response.status_code == 200
        assert "<!doctype html>" in response.text  # a page, not the htmx fragment
        assert 'id="reply-form"' in response.text
        assert re.search(
            r'<textarea id="reply-body"[^>]*>Yth\. Siti Aminah\.</textarea>', response.text
        )
        bad = await admin.get(f"/tickets/{tid}/canned", params={"canned_id": "1' OR 1=1"})
        assert bad.status_code == 404


async def test_only_admins_manage_canned_answers(browser_for, rt):
    async with browser_for("cs_brebes") as cs:
        assert (await cs.get("/canned")).status_code == 403
        response = await post_form(cs, "/canned", {"office": "brebes", "title": "x", "body": "y"})
        assert response.status_code == 403
    async with browser_for("admin_tomohon") as other:
        response = await post_form(
            other, "/canned", {"office": "brebes", "title": "x", "body": "y"}
        )
        assert response.status_code == 403
    async with rt.sessions() as session:
        assert list(await session.scalars(select(CannedAnswer))) == []

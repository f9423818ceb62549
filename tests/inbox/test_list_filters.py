"""The inbox list's filters, their counts, the urgency order, keyset pages and office scoping."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update

from helpdesk.db import transaction
from helpdesk.models import Label, Ticket, TicketStatus, ticket_labels, utcnow
from tests.inbox.conftest import HTMX, ids_in, login, post_form

NOW = utcnow()


async def _set(rt, ticket_id: int, **values: Any) -> None:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))


def _order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-ticket="(\d+)"', html)]


def _option(html: str, select_id: str, value: str) -> str:
    """The text of one option of a filter select (where its count shows)."""
    select = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    match = re.search(rf'<option value="{re.escape(value)}"[^>]*>([^<]*)</option>', select)
    assert match, f"no option {value!r} in {select_id}"
    return match.group(1)


@pytest.fixture
async def desk(rt, seed, ticket):  # type: ignore[no-untyped-def]
    """Five Brebes tickets set up to tell every filter apart, and one Tomohon ticket."""
    made = {
        name: await ticket(f"Tiket {name}", sender=f"6281100000{n:03d}")
        for n, name in enumerate(("late", "soon", "later", "mine", "closed"))
    }
    made["tomohon"] = await ticket("Tiket tomohon", office="tomohon")
    # (The SOP gave each new ticket its own due times; these replace them.)
    late, soon, later = (NOW + timedelta(hours=h) for h in (-2, 1, 48))
    await _set(rt, made["late"], step_due_at=late, due_at=soon, category="kk")
    await _set(rt, made["soon"], step_due_at=soon, due_at=later, channel="email")
    await _set(rt, made["later"], step_due_at=None, due_at=later, step="verifikasi")
    await _set(
        rt, made["mine"], step_due_at=None, due_at=None, assignee_id=seed.users["admin_brebes"]
    )
    await _set(rt, made["closed"], status=TicketStatus.closed)
    # Tomohon's ticket is the most overdue of all: it must never show up for Brebes.
    await _set(rt, made["tomohon"], step_due_at=NOW - timedelta(days=9), category="kk")
    async with transaction(rt.sessions) as session:
        label = Label(office_id=seed.offices["brebes"], name="viral")
        session.add(label)
        await session.flush()
        await session.execute(
            insert(ticket_labels).values(ticket_id=made["soon"], label_id=label.id)
        )
        made["label"] = label.id
    return made


async def test_default_order_is_overdue_then_due_soonest_then_last_activity(brebes, desk):
    html = (await brebes.get("/")).text
    assert _order(html) == [desk["late"], desk["soon"], desk["later"], desk["mine"]]
    assert "Lewat tenggat" in html and "Segera jatuh tempo" in html


async def test_a_paused_ticket_is_not_overdue(brebes, rt, desk):
    await _set(rt, desk["late"], status=TicketStatus.waiting, paused_at=NOW)
    html = (await brebes.get("/")).text
    assert _order(html)[-1] == desk["late"]  # no due time while the citizen is awaited
    assert ids_in((await brebes.get("/?due=overdue")).text) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due=overdue", {"late"}),
        ("due=soon", {"soon"}),
        ("assignee=mine", {"mine"}),
        ("assignee=unassigned", {"late", "soon", "later"}),
        ("channel=email", {"soon"}),
        ("channel=whatsapp", {"late", "later", "mine"}),
        ("step=verifikasi", {"later"}),
        ("category=kk", {"late"}),
        ("status=closed", {"closed"}),
        ("status=all", {"late", "soon", "later", "mine", "closed"}),
        ("office=brebes", {"late", "soon", "later", "mine"}),
        ("office=tomohon", {"late", "soon", "later", "mine"}),  # not theirs: ignored
        ("assignee=mine&due=overdue", set()),
        ("category=not-a-category", {"late", "soon", "later", "mine"}),
        ("due=yesterday", {"late", "soon", "later", "mine"}),
    ],
)
async def test_each_filter(brebes, desk, query, expected):
    response = await brebes.get(f"/?{query}")
    assert response.status_code == 200
    assert ids_in(response.text) == {desk[name] for name in expected}


async def test_the_label_filter(brebes, desk):
    html = (await brebes.get(f"/?label={desk['label']}")).text
    assert ids_in(html) == {desk["soon"]}
    assert _option(html, "f-label", str(desk["label"])) == "viral (1)"
    assert ids_in((await brebes.get("/?label=abc")).text) == ids_in((await brebes.get("/")).text)


async def test_counts_per_filter_choice_of_the_active_tickets(brebes, desk):
    html = (await brebes.get("/")).text
    assert _option(html, "f-due", "overdue").endswith("(1)")
    assert _option(html, "f-due", "soon").endswith("(1)")
    assert _option(html, "f-assignee", "mine").endswith("(1)")
    assert _option(html, "f-assignee", "unassigned").endswith("(3)")
    assert _option(html, "f-channel", "whatsapp").endswith("(3)")
    assert _option(html, "f-channel", "email").endswith("(1)")
    assert _option(html, "f-category", "kk").endswith("(1)")
    assert _option(html, "f-step", "verifikasi").endswith("(1)")
    assert _option(html, "f-status", "active").endswith("(4)")
    assert not _option(html, "f-status", "closed").endswith(")")  # the archive is not counted


async def test_another_offices_tickets_are_never_listed_counted_or_found(brebes, client, desk):
    for url in ("/", "/?status=all", "/?due=overdue", "/?category=kk", "/?q=tomohon"):
        assert desk["tomohon"] not in ids_in((await brebes.get(url)).text), url
    html = (await brebes.get("/?category=kk")).text
    assert _option(html, "f-category", "kk").endswith("(1)")  # Brebes' one, not Tomohon's
    await login(client, "root")
    every = (await client.get("/?category=kk")).text
    assert ids_in(every) == {desk["late"], desk["tomohon"]}
    assert _option(every, "f-category", "kk").endswith("(2)")


async def test_the_same_filters_answer_each_user_with_their_own_tickets(brebes, rt, seed, desk):
    # The list's statements are built once per shape (which filters are set) and kept; each
    # request binds its own offices, user and times. Two users asking for the same shapes in
    # one process must each get their own answer, counts and names.
    html = (await brebes.get("/?assignee=mine")).text
    assert ids_in(html) == {desk["mine"]} and "Admin Brebes" in html
    assert ids_in((await brebes.get("/?category=kk")).text) == {desk["late"]}
    await _set(rt, desk["tomohon"], assignee_id=seed.users["admin_tomohon"])
    assert (await post_form(brebes, "/logout", {})).status_code == 303
    assert (await login(brebes, "admin_tomohon")).status_code == 303
    html = (await brebes.get("/?assignee=mine")).text
    assert ids_in(html) == {desk["tomohon"]} and "Admin Tomohon" in html
    assert _option(html, "f-assignee", "mine").endswith("(1)")
    html = (await brebes.get("/?category=kk")).text
    assert ids_in(html) == {desk["tomohon"]}
    assert _option(html, "f-category", "kk").endswith("(1)")
    assert _option(html, "f-due", "overdue").endswith("(1)")  # nine days late


async def test_keyset_pages_follow_the_urgency_order(brebes, desk, monkeypatch):
    import inbox.list_views

    monkeypatch.setattr(inbox.list_views, "PAGE_SIZE", 1)
    seen: list[int] = []
    url: str | None = "/"
    while url:
        html = (await brebes.get(url)).text
        seen += _order(html)
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert len(seen) < 10
    assert seen == [desk["late"], desk["soon"], desk["later"], desk["mine"]]


async def test_a_forged_cursor_is_refused(brebes, desk):
    for cursor in ("garbage", "W10", "WyJ1IiwiYSIsImIiLDFd", "x" * 5000):
        response = await brebes.get("/", params={"cursor": cursor})
        assert response.status_code == 400, cursor


async def test_htmx_gets_the_list_fragment_only(brebes, desk):
    response = await brebes.get("/?due=overdue", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and 'class="filters"' in response.text
    assert ids_in(response.text) == {desk["late"]}


async def test_the_page_works_without_javascript_and_says_its_shortcuts(brebes, desk):
    html = (await brebes.get("/")).text
    assert '<form class="filters" method="get" action="/"' in html
    assert 'aria-keyshortcuts="/"' in html and "/static/inbox-list.js" in html
    assert 'data-live-list="/"' in html

"""What every page carries: language, viewport, one small stylesheet, htmx deferred, CSRF."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "inbox" / "static"


def test_the_stylesheet_stays_small_and_loads_nothing_else():
    css = (STATIC / "inbox.css").read_text()
    assert len(css.encode()) < 15 * 1024
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


async def test_a_page_has_what_a_phone_and_htmx_need(brebes):
    html = (await brebes.get("/")).text
    assert '<html lang="id">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<link rel="stylesheet" href="/static/inbox.css">' in html
    assert '<script src="/static/htmx.min.js" defer></script>' in html
    assert re.search(r"hx-headers='\{\"x-csrftoken\": \"[0-9a-f]{128}\"\}'", html)
    assert 'action="/logout"' in html and 'action="/lang"' in html


async def test_static_files_are_served(client):
    for name in ("inbox.css", "inbox.js", "htmx.min.js"):
        assert (await client.get(f"/static/{name}")).status_code == 200


async def test_every_form_that_posts_carries_the_csrf_token(brebes, ticket, rt, seed):
    from tests.inbox.conftest import failed_reply

    tid = await ticket()
    await failed_reply(rt, seed, tid)
    html = (await brebes.get(f"/tickets/{tid}")).text
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
    # language, logout, retry, reply, note, and the workflow panel's forms (actions, labels…)
    assert len(forms) >= 5 and any("/actions/" in form for form in forms)
    for form in forms:
        assert 'name="_csrf_token" value="' in form

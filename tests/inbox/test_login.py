"""Signing in and out: the session, the login redirect, the throttle."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.inbox.conftest import csrf_token, login, post_form


async def test_the_login_page_is_a_form_in_indonesian(client):
    response = await client.get("/login")
    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    assert 'name="_csrf_token"' in response.text
    assert "Nama pengguna" in response.text and "Kata sandi" in response.text


async def test_a_right_password_signs_in_and_goes_to_next(client, seed):
    response = await login(client, "admin_brebes", next="/tickets/7")
    assert response.status_code == 303
    assert response.headers["location"] == "/tickets/7"
    inbox = await client.get("/")
    assert inbox.status_code == 200
    assert "Admin Brebes" in inbox.text


async def test_next_may_only_be_a_local_path(client, seed):
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        await client.post("/logout", data={"_csrf_token": await csrf_token(client)})
        response = await login(client, "admin_brebes", next=evil)
        assert response.status_code == 303
        assert response.headers["location"] == "/", evil


async def test_a_wrong_password_shows_the_form_again_with_400(client, seed):
    response = await login(client, "admin_brebes", password="salah")
    assert response.status_code == 400
    assert "Nama pengguna atau kata sandi salah." in response.text
    assert 'value="admin_brebes"' in response.text  # the username stays filled in
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_an_unknown_user_gets_the_same_answer(client, seed):
    response = await login(client, "tidak_ada", password="salah")
    assert response.status_code == 400
    assert "Nama pengguna atau kata sandi salah." in response.text


async def test_after_five_failures_even_the_right_password_is_refused_with_429(client, seed):
    for _ in range(5):
        assert (await login(client, "admin_brebes", password="salah")).status_code == 400
    response = await login(client, "admin_brebes")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.text
    assert int(response.headers["retry-after"]) > 14 * 60
    # Another account from the same address is not locked out.
    assert (await login(client, "admin_tomohon")).status_code == 303


async def test_login_without_a_csrf_token_is_refused(client, seed):
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"username": "admin_brebes", "password": "rahasia-123"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "Formulir sudah kedaluwarsa" in response.text


async def test_a_page_without_a_session_redirects_to_login_with_next(client, seed):
    response = await client.get("/tickets/1?x=1", follow_redirects=False)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/tickets/1?x=1"]


async def test_htmx_without_a_session_is_told_to_redirect(client, seed):
    response = await client.get(
        "/tickets/1/timeline",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver.local/tickets/1"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login?next=/tickets/1"


async def test_the_api_keeps_json_errors(client, seed):
    response = await client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_logout_ends_the_session(brebes):
    response = await post_form(brebes, "/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert (await brebes.get("/", follow_redirects=False)).status_code == 303


async def test_a_signed_in_user_visiting_login_goes_to_the_inbox(brebes):
    response = await brebes.get("/login", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_a_double_slash_path_never_becomes_an_open_redirect(client, seed):
    response = await client.get("//evil.example/x", follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"] == "/login?next=/"
    else:
        assert response.status_code == 404

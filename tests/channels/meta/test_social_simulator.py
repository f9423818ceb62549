"""The Page and Instagram surfaces of the simulator speak like Meta: signed webhooks in Meta's
shapes, its refusals, and switches a test can arm."""

from __future__ import annotations

import json

import httpx

from channels.meta.signature import is_valid_signature
from tests.channels.meta.social_fixtures import CITIZEN_PSID, PAGE_ID, MetaSim
from tests.conftest import APP_SECRET


def test_a_citizen_message_arrives_signed_in_the_page_shape(meta_sim: MetaSim):
    meta_sim.act("facebook", "message", account_id=PAGE_ID, **{"from": CITIZEN_PSID}, text="Halo")
    [webhook] = meta_sim.receiver.wait_for(1)
    assert is_valid_signature(webhook.body, webhook.headers["x-hub-signature-256"], {APP_SECRET})
    payload = json.loads(webhook.body)
    [event] = payload["entry"][0]["messaging"]
    assert payload["object"] == "page"
    assert (event["sender"]["id"], event["message"]["text"]) == (CITIZEN_PSID, "Halo")


def test_a_comment_change_names_its_verb(meta_sim: MetaSim):
    created = meta_sim.act("facebook", "comment", account_id=PAGE_ID, **{"from": "6001"}, text="A")
    meta_sim.act("facebook", "comment_change", comment_id=created["id"], verb="hide")
    hooks = meta_sim.receiver.wait_for(2)
    verbs = [json.loads(h.body)["entry"][0]["changes"][0]["value"]["verb"] for h in hooks]
    assert verbs == ["add", "hide"]


def test_bad_requests_get_a_reason_and_change_nothing(meta_sim: MetaSim):
    for path, data in (
        ("/_sim/facebook/message", {"account_id": "nope", "from": "1", "text": "x"}),
        ("/_sim/facebook/faults", {"fault": "meteor"}),
        ("/_sim/facebook/faults", {"fault": "rate_limit", "code": 999}),
        ("/_sim/instagram/comment_change", {"comment_id": "1", "verb": "edited"}),
        ("/_sim/telefax/message", {}),
    ):
        response = httpx.post(meta_sim.base_url + path, json=data)
        assert response.status_code in (400, 404) and response.json()["error"]
    assert meta_sim.facebook.store.items == [] and meta_sim.facebook.store.faults == []


def test_a_send_with_another_accounts_token_is_refused(meta_sim: MetaSim):
    response = httpx.post(
        f"{meta_sim.graph_url}v21.0/{PAGE_ID}/messages",
        json={"recipient": {"id": CITIZEN_PSID}, "message": {"text": "x"}},
        headers={"Authorization": "Bearer token-ig-tomohon"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == 100


def test_the_attachment_cdn_refuses_a_request_that_carries_a_token(meta_sim: MetaSim):
    sent = meta_sim.act(
        "facebook",
        "message",
        account_id=PAGE_ID,
        **{"from": CITIZEN_PSID},
        content_base64="iVBORw0KGgo=",
        mime_type="image/png",
    )
    url = sent["item"]["media_url"]
    assert httpx.get(url).status_code == 200
    assert httpx.get(url, headers={"Authorization": "Bearer t"}).status_code == 400


def test_the_page_for_people_lists_both_surfaces(meta_sim: MetaSim):
    page = httpx.get(f"{meta_sim.base_url}/_sim/social").text
    assert (
        "Facebook (Messenger dan komentar halaman)" in page
        and "Instagram (DM dan komentar)" in page
    )

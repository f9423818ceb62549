"""How a WhatsApp webhook body becomes inbound messages and delivery statuses.

Fixtures are payloads in the shapes of Meta's messages webhook reference:
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from channels.base import (
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    InvalidPayload,
    MediaRef,
    ParsedPayload,
)
from channels.whatsapp.parse import MAX_BODY_CHARS, parse_webhook

FIXTURES = Path(__file__).parent / "fixtures"
PHONE_NUMBER_ID = "109876543210"
SITI = "6281234567890"


def load(name: str) -> ParsedPayload:
    return parse_webhook((FIXTURES / f"{name}.json").read_bytes())


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def only_message(parsed: ParsedPayload) -> InboundMessage:
    assert parsed.statuses == ()
    assert parsed.ignored == 0
    assert len(parsed.messages) == 1
    return parsed.messages[0]


def first_raw_message(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["entry"][0]["changes"][0]["value"]["messages"][0]


def envelope(*, messages: list[Any] | None = None, statuses: list[Any] | None = None) -> bytes:
    """A one-change webhook for our test number, for inputs no recorded fixture shows."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "622150001234", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Siti Rahayu"}, "wa_id": SITI}],
    }
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102938475610293", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload).encode()


def text_message(external_id: str | None, body: str, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": SITI,
        "timestamp": "1764206100",
        "type": "text",
        "text": {"body": body},
    }
    if external_id is not None:
        message["id"] = external_id
    message.update(extra)
    return message


# -- one message per fixture --------------------------------------------------------------------


@dataclass(frozen=True)
class MessageCase:
    fixture: str
    kind: ContentKind
    body: str
    media: tuple[MediaRef, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    quotes_a_message: bool = False


MESSAGE_CASES = [
    pytest.param(
        MessageCase(
            "text_message",
            ContentKind.text,
            "Selamat pagi, saya mau tanya syarat pembuatan KTP-el untuk pemula. Terima kasih.",
        ),
        id="a text message becomes one inbound message with its words as the body",
    ),
    pytest.param(
        MessageCase(
            "image_message",
            ContentKind.image,
            "Ini foto KK saya yang rusak, apakah bisa dicetak ulang?",
            media=(
                MediaRef(
                    "1184726350917264",
                    "image/jpeg",
                    None,
                    "lZp1fvn2TDqJ4ifG60Y4q/dWnrM2Fme0v8ykAmqDBGM=",
                    ContentKind.image,
                ),
            ),
        ),
        id="an image message becomes one inbound message with one image and its caption",
    ),
    pytest.param(
        MessageCase(
            "document_message",
            ContentKind.document,
            "Surat pengantar dari kelurahan",
            media=(
                MediaRef(
                    "2039485761029384",
                    "application/pdf",
                    "Surat_Pengantar_RT_RW.pdf",
                    "aWV0GBDhoProJCGvH2AhoxyKosmMccdGwr6o1/r3lkI=",
                    ContentKind.document,
                ),
            ),
        ),
        id="a document keeps its file name",
    ),
    pytest.param(
        MessageCase(
            "audio_voice_message",
            ContentKind.audio,
            "",
            media=(
                MediaRef(
                    "8475610293847561",
                    "audio/ogg; codecs=opus",
                    None,
                    "Dw2taMLUSMiPyUPrqRJM3puyXw7C3BCsRKmuXFPpReY=",
                    ContentKind.audio,
                ),
            ),
            details={"voice": True},
        ),
        id="a voice note is audio marked as voice, with an empty body",
    ),
    pytest.param(
        MessageCase(
            "video_message",
            ContentKind.video,
            "Antrean di kantor kecamatan pagi ini, sudah dari jam 6",
            media=(
                MediaRef(
                    "5610293847561029",
                    "video/mp4",
                    None,
                    "3gNZOjblTgiQtkchd4DW1OY1CZ2pgFKulahL7wIAXcc=",
                    ContentKind.video,
                ),
            ),
        ),
        id="a video comes with its caption",
    ),
    pytest.param(
        MessageCase(
            "sticker_message",
            ContentKind.sticker,
            "",
            media=(
                MediaRef(
                    "7391028475610293",
                    "image/webp",
                    None,
                    "3Z8Xr252bCdZ/Xbn3INc4pYEr2JmAkMUm7tLrFtrDEg=",
                    ContentKind.sticker,
                ),
            ),
            details={"animated": False},
        ),
        id="a bare sticker has media and no words",
    ),
    pytest.param(
        MessageCase(
            "location_message",
            ContentKind.location,
            "Disdukcapil Kota Bandung\n"
            "Jl. Ambon No.1B, Citarum, Kec. Bandung Wetan, Kota Bandung, Jawa Barat 40115",
            details={
                "latitude": -6.9093251,
                "longitude": 107.6163374,
                "name": "Disdukcapil Kota Bandung",
                "address": "Jl. Ambon No.1B, Citarum, Kec. Bandung Wetan, Kota Bandung, "
                "Jawa Barat 40115",
                "url": "https://maps.google.com/?cid=1234567890123456789",
            },
        ),
        id="a location reads as place name and address, coordinates in details",
    ),
    pytest.param(
        MessageCase(
            "contacts_message",
            ContentKind.contacts,
            "",
            details={
                "contacts": [
                    {"name": "Budi Santoso", "phones": ["+62 812-3456-7891", "+62 22 4231234"]}
                ]
            },
        ),
        id="a shared contact card keeps its name and phone numbers",
    ),
    pytest.param(
        MessageCase(
            "interactive_button_reply",
            ContentKind.interactive,
            "KTP-el",
            details={"reply_type": "button_reply", "reply_id": "layanan_ktp", "description": None},
            quotes_a_message=True,
        ),
        id="a reply button reads as its title and answers our menu",
    ),
    pytest.param(
        MessageCase(
            "interactive_list_reply",
            ContentKind.interactive,
            "Akta Kelahiran",
            details={
                "reply_type": "list_reply",
                "reply_id": "akta_kelahiran",
                "description": "Penerbitan akta kelahiran anak baru lahir",
            },
            quotes_a_message=True,
        ),
        id="a list choice reads as its title, with its id and description",
    ),
    pytest.param(
        MessageCase(
            "button_message",
            ContentKind.interactive,
            "Cek status permohonan",
            details={"reply_type": "button", "payload": "CEK_STATUS_PERMOHONAN"},
            quotes_a_message=True,
        ),
        id="a template quick reply reads as the button text, with its payload",
    ),
    pytest.param(
        MessageCase(
            "reaction_message",
            ContentKind.reaction,
            "\U0001f64f",
            details={"emoji": "\U0001f64f", "removed": False},
            quotes_a_message=True,
        ),
        id="a reaction is its emoji, pointing at the message reacted to",
    ),
    pytest.param(
        MessageCase(
            "unsupported_message",
            ContentKind.unsupported,
            "",
            details={
                "type": "unsupported",
                "errors": [{"code": "131051", "title": "Message type unknown"}],
                "unsupported_type": "poll_creation",
            },
        ),
        id="a message type the API cannot show is kept as unsupported, with Meta's reason",
    ),
    pytest.param(
        MessageCase(
            "quoted_reply",
            ContentKind.text,
            "Baik, dokumen sudah saya siapkan. Kapan bisa diambil di kantor?",
            quotes_a_message=True,
        ),
        id="a quoted reply is a text pointing at the message it quotes",
    ),
]


@pytest.mark.parametrize("case", MESSAGE_CASES)
def test_each_message_fixture(case: MessageCase) -> None:
    raw = first_raw_message(fixture_json(case.fixture))
    message = only_message(load(case.fixture))

    assert message.kind is case.kind
    assert message.body == case.body
    assert message.media == case.media
    assert dict(message.details) == case.details
    assert message.external_id == raw["id"]
    assert message.account_key == PHONE_NUMBER_ID
    quoted = raw.get("context", {}).get("id") or raw.get("reaction", {}).get("message_id")
    assert case.quotes_a_message == (quoted is not None)
    assert message.reply_to_external_id == quoted


def test_a_message_names_its_sender_and_time_from_the_envelope() -> None:
    message = only_message(load("text_message"))

    assert message.account_key == "109876543210"
    assert message.sender_id == "6281234567890"
    assert message.sender_name == "Siti Rahayu"
    assert message.external_id.startswith("wamid.")
    assert message.sent_at == datetime(2025, 11, 27, 1, 15, tzinfo=UTC)
    assert message.sent_at.tzinfo is not None


def test_a_sender_missing_from_contacts_has_no_name() -> None:
    message = {**text_message("wamid.X1", "Halo"), "from": "6289900011122"}

    parsed = parse_webhook(envelope(messages=[message]))

    assert only_message(parsed).sender_name is None


def test_a_forwarded_message_is_flagged_and_quotes_nothing() -> None:
    messages = [
        text_message("wamid.F1", "Info antrean", context={"forwarded": True}),
        text_message("wamid.F2", "Info hoaks", context={"frequently_forwarded": True}),
    ]

    parsed = parse_webhook(envelope(messages=messages))

    assert [m.details for m in parsed.messages] == [{"forwarded": True}] * 2
    assert [m.reply_to_external_id for m in parsed.messages] == [None, None]


def test_a_removed_reaction_has_no_emoji() -> None:
    payload = fixture_json("reaction_message")
    del first_raw_message(payload)["reaction"]["emoji"]

    message = only_message(parse_webhook(json.dumps(payload).encode()))

    assert message.kind is ContentKind.reaction
    assert message.body == ""
    assert message.details == {"emoji": "", "removed": True}
    assert message.reply_to_external_id is not None


@pytest.mark.parametrize(
    ("raw_type", "extra"),
    [
        pytest.param("system", {"system": {"body": "Nomor berubah"}}, id="system"),
        pytest.param("request_welcome", {}, id="request_welcome"),
        pytest.param("order", {"order": {"catalog_id": "1"}}, id="a type we do not know"),
        pytest.param("image", {"image": {"mime_type": "image/jpeg"}}, id="an image without id"),
        pytest.param("interactive", {"interactive": {"type": "nfm_reply"}}, id="a flow reply"),
        pytest.param("reaction", {"reaction": {"emoji": "x"}}, id="a reaction to nothing"),
    ],
)
def test_what_cannot_be_shown_is_kept_as_unsupported(raw_type: str, extra: dict[str, Any]) -> None:
    message = {"from": SITI, "id": "wamid.U1", "timestamp": "1764206100", "type": raw_type}

    parsed = parse_webhook(envelope(messages=[{**message, **extra}]))

    only = only_message(parsed)
    assert only.kind is ContentKind.unsupported
    assert only.body == ""
    assert only.media == ()
    assert only.details == {"type": raw_type, "errors": []}


# -- statuses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "status", "error", "error_code"),
    [
        pytest.param("status_sent", DeliveryStatus.sent, None, None, id="sent"),
        pytest.param("status_delivered", DeliveryStatus.delivered, None, None, id="delivered"),
        pytest.param("status_read", DeliveryStatus.read, None, None, id="read"),
        pytest.param(
            "status_failed_131047",
            DeliveryStatus.failed,
            "Re-engagement message: Message failed to send because more than 24 hours have "
            "passed since the customer last replied to this number.",
            "131047",
            id="failed outside the 24-hour window, with Meta's reason and code",
        ),
    ],
)
def test_a_status_becomes_one_status_update(
    fixture: str, status: DeliveryStatus, error: str | None, error_code: str | None
) -> None:
    raw = fixture_json(fixture)["entry"][0]["changes"][0]["value"]["statuses"][0]

    parsed = load(fixture)

    assert parsed.messages == ()
    assert parsed.ignored == 0
    [update] = parsed.statuses
    assert update.account_key == PHONE_NUMBER_ID
    assert update.external_id == raw["id"]
    assert update.status is status
    assert update.at == datetime.fromtimestamp(int(raw["timestamp"]), tz=UTC)
    assert (update.error, update.error_code) == (error, error_code)


@pytest.mark.parametrize("status", ["deleted", "warning", "queued", "", None])
def test_statuses_we_do_not_track_are_counted_as_ignored(status: str | None) -> None:
    raw = {"id": "wamid.S1", "status": status, "timestamp": "1764206100"}

    parsed = parse_webhook(envelope(statuses=[raw]))

    assert parsed == ParsedPayload(ignored=1)


# -- batches ------------------------------------------------------------------------------------


def test_a_batch_yields_every_message_and_status_of_every_entry() -> None:
    parsed = load("batch_two_entries")

    assert [(m.account_key, m.sender_id, m.sender_name, m.kind) for m in parsed.messages] == [
        ("109876543210", "6281234567890", "Siti Rahayu", ContentKind.text),
        ("109876543210", "6285712345678", "Agus Setiawan", ContentKind.image),
        ("118765432109", "6281311122233", "Rina Marlina", ContentKind.text),
    ]
    assert [(s.account_key, s.status) for s in parsed.statuses] == [
        ("109876543210", DeliveryStatus.delivered),
        ("118765432109", DeliveryStatus.read),
        ("118765432109", DeliveryStatus.sent),
    ]
    assert parsed.ignored == 0


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"from": SITI, "timestamp": "1764206100", "type": "text"}, id="without id"),
        pytest.param({"id": "wamid.B", "timestamp": "1764206100", "type": "text"}, id="no from"),
        pytest.param(text_message("wamid.B", "x", timestamp="kemarin"), id="bad timestamp"),
        pytest.param(text_message("wamid.B", "x", timestamp=None), id="no timestamp"),
        pytest.param("wamid.B", id="not an object"),
    ],
)
def test_a_malformed_message_in_a_batch_of_three_costs_only_itself(broken: Any) -> None:
    messages = [text_message("wamid.A", "satu"), broken, text_message("wamid.C", "tiga")]

    parsed = parse_webhook(envelope(messages=messages))

    assert [m.external_id for m in parsed.messages] == ["wamid.A", "wamid.C"]
    assert parsed.ignored == 1


def test_changes_of_other_fields_are_counted_as_ignored() -> None:
    payload = fixture_json("text_message")
    payload["entry"][0]["changes"].append(
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    )

    parsed = parse_webhook(json.dumps(payload).encode())

    assert len(parsed.messages) == 1
    assert parsed.ignored == 1


def test_a_change_without_phone_number_id_cannot_be_routed_and_is_ignored() -> None:
    payload = fixture_json("text_message")
    del payload["entry"][0]["changes"][0]["value"]["metadata"]

    assert parse_webhook(json.dumps(payload).encode()) == ParsedPayload(ignored=1)


# -- hostile bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b'{"object": "\xff\xfe"}', "not UTF-8", id="bad UTF-8"),
        pytest.param(b"<html>bukan JSON</html>", "not JSON", id="not JSON"),
        pytest.param(b"", "not JSON", id="empty"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "not JSON", id="nested too deep"),
        pytest.param(b'[{"object": "whatsapp_business_account"}]', "list", id="a list"),
        pytest.param(b'"whatsapp_business_account"', "str", id="a string"),
        pytest.param(b'{"object": "page", "entry": []}', "'page'", id="wrong object"),
        pytest.param(b'{"entry": []}', "None", id="no object"),
        pytest.param(b'{"object": "whatsapp_business_account"}', "entry", id="no entry"),
        pytest.param(
            b'{"object": "whatsapp_business_account", "entry": {}}', "entry", id="entry not list"
        ),
        pytest.param(
            b'{"object": "whatsapp_business_account", "entry": [{"changes": "x"}]}',
            "entry[0].changes",
            id="changes not a list",
        ),
    ],
)
def test_a_body_that_is_not_a_whatsapp_webhook_is_refused(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidPayload, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_webhook(body)


def test_an_empty_entry_list_is_an_empty_result() -> None:
    assert parse_webhook(b'{"object": "whatsapp_business_account", "entry": []}') == (
        ParsedPayload()
    )


def test_nul_characters_are_removed_from_texts() -> None:
    message = text_message("wamid.N", "KTP\x00 saya\x00 hilang")

    parsed = parse_webhook(envelope(messages=[message]))

    assert only_message(parsed).body == "KTP saya hilang"


def test_a_lone_surrogate_cannot_reach_the_database() -> None:
    body = envelope(messages=[text_message("wamid.S", "PLACEHOLDER")])
    body = body.replace(b"PLACEHOLDER", b"emoji terpotong \\ud83d")

    message = only_message(parse_webhook(body))

    assert message.body == "emoji terpotong ?"
    message.body.encode("utf-8")


def test_a_huge_text_is_cut_at_the_body_limit() -> None:
    message = text_message("wamid.H", "a" * (MAX_BODY_CHARS + 10_000))

    parsed = parse_webhook(envelope(messages=[message]))

    assert only_message(parsed).body == "a" * MAX_BODY_CHARS


def test_html_in_a_text_is_kept_verbatim_for_the_ui_to_escape() -> None:
    html = '<script>alert("x")</script><b>NIK</b> &amp; <img src=x onerror=alert(1)>'

    parsed = parse_webhook(envelope(messages=[text_message("wamid.X", html)]))

    assert only_message(parsed).body == html


def test_every_fixture_is_specified_here() -> None:
    specified = {p.values[0].fixture for p in MESSAGE_CASES} | {
        "status_sent",
        "status_delivered",
        "status_read",
        "status_failed_131047",
        "batch_two_entries",
    }

    assert {path.stem for path in FIXTURES.glob("*.json")} == specified

"""`channels/email/parse.py` from the corpus of real-looking mails in `corpus/`: one row per mail,
read as a specification of what each kind of mail becomes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.base import ContentKind, DeliveryStatus, InvalidPayload
from channels.email.parse import envelope, media_from, parse_mail

CORPUS = Path(__file__).parent / "corpus"
MAILBOX = "dukcapil@brebeskab.go.id"
RECEIVED = datetime(2026, 3, 20, 1, 2, 3, tzinfo=UTC)


def stored(name: str, mailbox: str = MAILBOX) -> bytes:
    """A corpus mail as the poller stores it (its envelope first)."""
    return envelope(mailbox, RECEIVED) + (CORPUS / name).read_bytes()


def one(name: str):  # type: ignore[no-untyped-def]
    parsed = parse_mail(stored(name))
    assert len(parsed.messages) == 1 and not parsed.statuses
    return parsed.messages[0]


# name, sender, the citizen's own words (exactly), and whether history was folded away
MESSAGES = [
    (
        "gmail_plain_id.eml",
        "siti.aminah@gmail.com",
        "Selamat pagi Bapak/Ibu,\n\nKTP-el saya rusak (chip tidak terbaca) sejak minggu lalu. "
        "Apa syarat untuk\npenggantiannya? NIK saya 3329015501900001.\n\nTerima kasih,\n"
        "Siti Aminah – Desa Kalimati, Kec. Brebes",
        False,
    ),
    (
        "gmail_reply_id.eml",
        "siti.aminah@gmail.com",
        "Baik, besok saya datang ke kantor membawa KK asli. Terima kasih.",
        True,
    ),
    (
        "outlook_reply_en.eml",
        "budi.santoso@outlook.com",
        "Thank you. The certificate number is 3329-LT-04032026-0012. When can I collect it? "
        "I’d prefer Friday.\n\nRegards,\nBudi",
        True,
    ),
    (
        "outlook_reply_id.eml",
        "rina.w@hotmail.com",
        "Sudah saya lampirkan surat pengantar dari desa kemarin. Mohon dicek kembali.",
        True,
    ),
    (
        "yahoo_reply.eml",
        "agus_salim77@yahoo.co.id",
        "Surat pindah sudah saya terima, terima kasih banyak.\nAgus",
        True,
    ),
    (
        "iphone_flowed.eml",
        "dewi.lestari@icloud.com",
        "Bagaimana cara membuat KIA untuk anak usia 3 tahun? Apakah bisa diurus online?",
        True,
    ),
    (
        "android_photo_attachment.eml",
        "joko.prasetyo88@gmail.com",
        "Berikut foto KK saya yang sobek, mohon info untuk cetak ulang.",
        True,
    ),
    (
        "html_only_hostile.eml",
        "warga.brebes@mail.example.id",
        "Antrian di kantor sangat panjang, saya menunggu 4 jam.\n\nMohon ditambah loket.\n\n"
        "- Loket 1 tutup\n\n- Loket 2 lambat\n\nklik jadwal (https://brebeskab.go.id/layanan)",
        False,
    ),
    (
        "mislabelled_latin1_is_utf8.eml",
        "ahmad@example.id",
        "Ayah saya meninggal tanggal 1 Maret – mohon info syarat akta kematian “segera”.",
        False,
    ),
    (
        "no_charset_8bit_header.eml",
        "sri@example.id",
        "Bagaimana cara pecah KK setelah menikah? Saya tinggal di Ketanggungan – terima kasih.",
        False,
    ),
    (
        "windows1252_outlook_signature.eml",
        "bambang@example.id",
        "Saya sudah pindah dari Tegal ke Brebes, bagaimana “pindah datang”?",
        True,
    ),
    (
        "broken_boundary.eml",
        "yusuf@example.id",
        "NIK saya terdaftar ganda di dua KK. Mohon dibantu.",
        False,
    ),
    ("broken_base64.eml", "fitri@example.id", "Berapa lama legalisir akta kelahiran", False),
    (
        "encoded_words_q.eml",
        "andre.w@example.id",
        'Nama saya di akta tertulis "Andri", seharusnya "André".',
        False,
    ),
    ("no_message_id.eml", "tono@example.id", "Surat dari aplikasi lama tanpa Message-ID.", False),
]


@pytest.mark.parametrize(
    ("name", "sender", "body", "folded"), MESSAGES, ids=[m[0] for m in MESSAGES]
)
def test_a_citizens_mail_becomes_one_message_with_their_own_words(name, sender, body, folded):
    message = one(name)
    assert message.account_key == MAILBOX
    assert message.sender_id == sender
    assert message.body == body
    assert ("full_text" in message.details) is folded
    if folded:
        assert message.details["full_text"].startswith(body.split("\n")[0])
        assert len(message.details["full_text"]) > len(body)


# name -> (subject, register number hint, thread refs nearest first)
THREADING = [
    (
        "gmail_reply_id.eml",
        "Re: KTP-el rusak, mohon penggantian [Reg: ADU/brebes/2026/000001]",
        "ADU/brebes/2026/000001",
        ("helpdesk.5f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e@brebeskab.go.id",),
    ),
    (
        "outlook_reply_en.eml",
        "RE: Akta kelahiran anak [Reg: ADU/brebes/2026/000002]",
        "ADU/brebes/2026/000002",
        ("helpdesk.aaaabbbbccccdddd0000111122223333@brebeskab.go.id",),
    ),
    (
        "yahoo_reply.eml",
        "Re: Pindah domisili (SKPWNI)",
        None,
        ("helpdesk.99998888777766665555444433332222@brebeskab.go.id", "CAold@mail.gmail.com"),
    ),
    ("gmail_plain_id.eml", "KTP-el rusak, mohon penggantian", None, ()),
]


@pytest.mark.parametrize(
    ("name", "subject", "hint", "refs"), THREADING, ids=[t[0] for t in THREADING]
)
def test_replies_carry_their_thread_and_register_number(name, subject, hint, refs):
    message = one(name)
    assert message.subject == subject
    assert message.ticket_hint == hint
    assert message.thread_refs == refs


@pytest.mark.parametrize(
    "name",
    [
        "auto_reply_id.eml",  # Auto-Submitted: auto-replied
        "outlook_out_of_office.eml",  # "Automatic reply:" from Exchange
        "bulk_newsletter.eml",  # Precedence: bulk, List-Unsubscribe
        "own_address.eml",  # our own reply coming back (Cc)
        "dsn_delayed.eml",  # a delay report is not a failure
    ],
)
def test_machine_mail_never_feeds_the_register(name):
    parsed = parse_mail(stored(name))
    assert parsed.messages == () and parsed.statuses == () and parsed.ignored == 1


BOUNCES = [
    (
        "dsn_postfix_bounce.eml",
        "helpdesk.deadbeefdeadbeefdeadbeefdeadbeef@brebeskab.go.id",
        "5.1.1",
        "User unknown",
    ),
    (
        "dsn_gmail_bounce.eml",
        "helpdesk.0123456789abcdef0123456789abcdef@brebeskab.go.id",
        "5.1.1",
        "does not exist",
    ),
    (
        "plain_bounce_qmail.eml",
        "helpdesk.cafebabecafebabecafebabecafebabe@brebeskab.go.id",
        "5.1.1",
        "no mailbox here",
    ),
]


@pytest.mark.parametrize(
    ("name", "original", "status", "reason"), BOUNCES, ids=[b[0] for b in BOUNCES]
)
def test_a_bounce_fails_the_reply_it_returns_with_the_reason(name, original, status, reason):
    parsed = parse_mail(stored(name))
    assert parsed.messages == ()
    [update] = parsed.statuses
    assert update.external_id == original and update.account_key == MAILBOX
    assert update.status == DeliveryStatus.failed and update.error_code == "bounce"
    assert status in (update.error or "") and reason in (update.error or "")


def test_html_is_kept_only_sanitised():
    message = one("html_only_hostile.eml")
    view = message.details["html"]
    for banned in (
        "<script",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<style",
        "<img",
        "tracker.example",
        "evil.example",
        "<svg",
        "alert(",
    ):
        assert banned not in view.lower(), banned
    assert "<b>sangat panjang</b>" in view
    assert '<a rel="noopener noreferrer nofollow" target="_blank">klik</a>' in view
    assert 'href="https://brebeskab.go.id/layanan"' in view


def test_plain_text_is_preferred_and_html_kept_as_a_view():
    message = one("gmail_plain_id.eml")
    assert "\n" in message.body  # the text part's own line breaks, not the HTML's
    assert message.details["html"].startswith("<div><div>Selamat pagi")


def test_an_attached_photo_is_a_media_ref_read_back_from_the_stored_mail():
    raw = stored("android_photo_attachment.eml")
    message = parse_mail(raw).messages[0]
    [photo] = message.media
    assert (photo.kind, photo.mime_type, photo.filename) == (
        ContentKind.image,
        "image/jpeg",
        "IMG_20260308_064012.jpg",
    )
    fetched = media_from(raw, photo.media_id)
    assert fetched is not None and fetched.content.startswith(b"\xff\xd8\xff")
    assert fetched.content.endswith(b"\xff\xd9") and fetched.filename == photo.filename
    assert media_from(raw, "part/999") is None and media_from(raw, "nonsense") is None


def test_an_inline_image_of_an_html_mail_is_an_attachment_too():
    message = one("inline_image_related.eml")
    [image] = message.media
    assert image.kind == ContentKind.image and image.filename == "antrean.jpg"
    assert message.body == "Ini nomor antrean saya [image: antrean.jpg] mohon dicek."
    assert "cid:" not in message.details["html"]


def test_a_forwarded_mail_keeps_its_text_and_its_attachment():
    raw = stored("forward_rfc822.eml")
    message = parse_mail(raw).messages[0]
    assert message.body.startswith("Saya teruskan surat dari kecamatan, mohon diproses.")
    assert "Terlampir surat keterangan domisili atas nama Hendra Kurniawan." in message.body
    assert "From: Kecamatan Wanasari <kec.wanasari@brebeskab.go.id>" in message.body
    assert message.details["forwarded"][0]["subject"] == "Surat keterangan domisili"
    [pdf] = message.media
    assert pdf.filename == "SK_domisili.pdf" and pdf.kind == ContentKind.document
    fetched = media_from(raw, pdf.media_id)
    assert fetched is not None and fetched.content.startswith(b"%PDF-")


def test_an_inline_forward_is_not_folded_away_as_history():
    message = one("forward_inline_gmail.eml")
    assert message.body.startswith("Apakah jadwal ini masih berlaku?")
    assert message.body.endswith("Perekaman KTP-el keliling di balai desa tanggal 20 Maret.")


def test_encoded_words_are_decoded_and_a_smuggled_header_is_flattened():
    message = one("encoded_words_injection.eml")
    assert message.sender_name == 'Warga "Baik"'
    assert "\r" not in (message.subject or "") and "\n" not in (message.subject or "")
    assert message.subject == "Tolong Bcc: victim@evil.example KTP hilang"
    assert one("encoded_words_q.eml").sender_name == "André Wijaya"


def test_broken_mime_keeps_the_text_and_records_the_defects():
    message = one("broken_boundary.eml")
    assert "StartBoundaryNotFoundDefect" in message.details["defects"]


def test_a_mail_without_message_id_gets_a_stable_one():
    first, again = one("no_message_id.eml"), one("no_message_id.eml")
    assert first.external_id.startswith("sha256:") and first.external_id == again.external_id
    later = parse_mail(
        envelope(MAILBOX, datetime(2027, 1, 1, tzinfo=UTC))
        + (CORPUS / "no_message_id.eml").read_bytes()
    )
    assert later.messages[0].external_id == first.external_id  # the envelope is not hashed


def test_the_date_header_is_the_sent_time_and_the_server_time_the_fallback():
    assert one("gmail_plain_id.eml").sent_at == datetime(2026, 3, 2, 1, 1, 2, tzinfo=UTC)
    raw = envelope(MAILBOX, RECEIVED) + b"From: a@example.id\r\nDate: garbage\r\n\r\nhalo\r\n"
    assert parse_mail(raw).messages[0].sent_at == RECEIVED


def test_the_mailbox_comes_from_our_envelope_not_from_the_sender():
    forged = (
        b"X-Helpdesk-Mailbox: other@office.go.id\r\n" + (CORPUS / "gmail_plain_id.eml").read_bytes()
    )
    assert parse_mail(envelope(MAILBOX, RECEIVED) + forged).messages[0].account_key == MAILBOX


def test_a_truncated_mail_says_so_in_indonesian_and_english():
    raw = envelope(MAILBOX, RECEIVED, truncated_size=90_000_000) + (
        b"From: besar@example.id\r\nSubject: Scan dokumen\r\nMessage-ID: <big@example.id>\r\n\r\n"
    )
    message = parse_mail(raw).messages[0]
    assert message.details["truncated_bytes"] == 90_000_000
    assert "melebihi batas ukuran" in message.body and "larger than the size limit" in message.body


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"From: a@b.c\r\n\r\nno envelope"])
def test_what_the_poller_did_not_store_is_invalid(raw):
    with pytest.raises(InvalidPayload):
        parse_mail(raw)


def test_every_corpus_mail_is_covered_by_a_test():
    named = {m[0] for m in MESSAGES} | {t[0] for t in THREADING} | {b[0] for b in BOUNCES}
    named |= {
        "auto_reply_id.eml",
        "outlook_out_of_office.eml",
        "bulk_newsletter.eml",
        "own_address.eml",
        "dsn_delayed.eml",
        "inline_image_related.eml",
        "forward_rfc822.eml",
        "forward_inline_gmail.eml",
        "encoded_words_injection.eml",
    }
    assert {p.name for p in CORPUS.glob("*.eml")} == named

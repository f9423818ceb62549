"""`channels/email/mime_tree.py`: the fast reader builds exactly the tree that
`email.message_from_bytes(raw, policy=compat32)` builds, and leaves to it every mail it is not
sure about. Differential: each mail is read both ways and the trees compared attribute by
attribute (headers raw and in order, payload strings exactly, preamble, epilogue, defects, the
default type, the unix From line, decoded payloads), then what the parser makes of it.

Pure: no database, no server (nothing here depends on the SQL backend)."""

from __future__ import annotations

import email
import random
from datetime import UTC, datetime
from email import policy
from email.message import Message
from pathlib import Path

import pytest

from bench.email_ingest import make_mails
from channels.email import mime_tree, parse

CORPUS = Path(__file__).parent / "corpus"
CORPUS_MAILS = sorted(path.name for path in CORPUS.glob("*.eml"))
# What the fast reader rightly leaves to the stdlib: a broken multipart and the DSNs, whose
# message/delivery-status FeedParser reads as header blocks.
CORPUS_LEFT_TO_STDLIB = {
    "broken_boundary.eml",
    "dsn_delayed.eml",
    "dsn_gmail_bounce.eml",
    "dsn_postfix_bounce.eml",
}
ENVELOPE = parse.envelope("dukcapil@brebes.test", datetime(2026, 3, 2, tzinfo=UTC))


def stdlib(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def assert_same_tree(fast: Message, slow: Message, where: str = "root") -> None:
    assert type(fast) is type(slow), where
    if not slow.is_multipart():
        # first, since decoding records defects (bad base64) on the part, compared below
        assert fast.get_payload(decode=True) == slow.get_payload(decode=True), where
    mine, theirs = dict(vars(fast)), dict(vars(slow))
    payload, expected = mine.pop("_payload"), theirs.pop("_payload")
    defects, expected_defects = mine.pop("defects"), theirs.pop("defects")
    assert [type(d) for d in defects] == [type(d) for d in expected_defects], where
    # headers (raw values, order), unix From, charset, preamble, epilogue, default type, policy
    assert mine == theirs, where
    assert list(fast.raw_items()) == list(slow.raw_items()), where
    assert type(payload) is type(expected), where
    if isinstance(expected, list):
        assert len(payload) == len(expected), where
        for i, (child, expected_child) in enumerate(zip(payload, expected, strict=True)):
            assert_same_tree(child, expected_child, f"{where}/{i}")
    else:
        assert payload == expected, where


def assert_read_like_stdlib(raw: bytes, fast_expected: bool | None) -> None:
    """`read` gives the stdlib's tree; `fast_expected` says whether the fast path must have
    built it (None: either is right, only the result is checked)."""
    fast = mime_tree.read_fast(raw)
    if fast_expected is not None:
        assert (fast is not None) == fast_expected
    if fast is not None:
        assert_same_tree(fast, stdlib(raw))
    # a fresh stdlib tree: decoding a payload adds defects to its part
    assert_same_tree(mime_tree.read(raw), stdlib(raw))


def assert_parsed_alike(raw: bytes) -> None:
    """What the helpdesk takes from the mail is the same from either tree, attachments too."""
    fast, slow = mime_tree.read(raw), stdlib(raw)
    parsed = parse.parse_read(raw, fast)
    assert parsed == parse.parse_read(raw, slow)
    for message in parsed.messages:
        for media in message.media:
            got = parse.media_in(fast, media.media_id)
            assert got is not None and got == parse.media_in(slow, media.media_id)


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.mark.parametrize("name", CORPUS_MAILS)
@pytest.mark.parametrize("line_end", ["as stored", "crlf"])
def test_every_corpus_mail_reads_to_the_stdlib_tree(name: str, line_end: str) -> None:
    raw = ENVELOPE + (CORPUS / name).read_bytes()
    if line_end == "crlf":
        raw = crlf(raw)
    assert_read_like_stdlib(raw, fast_expected=name not in CORPUS_LEFT_TO_STDLIB)
    assert_parsed_alike(raw)


@pytest.mark.parametrize(("seed", "n", "attachments"), [(1, 120, 0.15), (7, 80, 0.6), (42, 60, 1)])
def test_every_bench_mail_is_read_fast_to_the_stdlib_tree(
    seed: int, n: int, attachments: float
) -> None:
    for mail in make_mails(n, 0.25, attachments, seed):
        raw = ENVELOPE + mail.raw
        assert_read_like_stdlib(raw, fast_expected=True)
        assert_parsed_alike(raw)


def mail(*lines: str, end: str = "\n") -> bytes:
    return end.join(lines).encode("utf-8", "surrogateescape")


HEAD = (
    "From: Siti <siti@warga.test>",
    "Subject: KTP-el",
    "Date: Mon, 02 Mar 2026 10:00:00 +0700",  # else a broken envelope's sent time is now()
    "MIME-Version: 1.0",
)
B64_PHOTO = (
    "Content-Type: image/jpeg; name=ktp.jpg",
    "Content-Transfer-Encoding: base64",
    "",
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkK",
    "CgwPDAoLDgsJCQ0RDQ4PEBAQEAoMEhMSEBMPEBAQ/9k=",
)


def multipart(boundary: str, *parts: tuple[str, ...], pre: str = "", post: str = "") -> tuple:
    """Lines of a multipart body: optional preamble lines, the parts, the close, epilogue."""
    lines: list[str] = [pre] if pre else []
    for part in parts:
        lines += [f"--{boundary}", *part]
    lines.append(f"--{boundary}--")
    if post:
        lines.append(post)
    return tuple(lines)


TEXT = ("Content-Type: text/plain; charset=utf-8", "", "KTP-el saya rusak.", "")
MIXED = (*HEAD, 'Content-Type: multipart/mixed; boundary="b1"', "")

# name -> (mail, whether the fast path must build it)
NASTY: dict[str, tuple[bytes, bool]] = {
    "plain, no multipart": (mail(*HEAD, "", "Selamat pagi.", "Baris kedua."), True),
    "preamble and epilogue": (
        mail(*MIXED, *multipart("b1", TEXT, B64_PHOTO, pre="This is MIME.", post="bye"), ""),
        True,
    ),
    "several preamble lines and blank epilogue lines": (
        mail(*MIXED, "a", "", "b", *multipart("b1", TEXT), "", "", "tail", ""),
        True,
    ),
    "close delimiter at the very end, no line end": (mail(*MIXED, *multipart("b1", TEXT)), True),
    "close delimiter then one line end": (mail(*MIXED, *multipart("b1", TEXT), ""), True),
    "padding after the delimiters": (
        mail(*MIXED, "--b1 \t", *TEXT, "--b1--  ", "epilogue", ""),
        True,
    ),
    "boundary-like lines in the body": (
        mail(
            *MIXED,
            "--b1",
            *TEXT[:2],
            "--b1x not a delimiter",
            " --b1",
            "text --b1",
            "--b1-- trailing words",
            "--b1---",
            "--b",
            "",
            *multipart("b1", B64_PHOTO),
            "",
        ),
        True,
    ),
    "delimiter of the same boundary in the epilogue": (
        mail(*MIXED, *multipart("b1", TEXT), "--b1", "more", "--b1--", ""),
        True,
    ),
    "nested multiparts, inner close right before the outer delimiter": (
        mail(
            *MIXED,
            "--b1",
            'Content-Type: multipart/alternative; boundary="b2"',
            "",
            *multipart("b2", TEXT, ("Content-Type: text/html", "", "<p>KTP</p>")),
            *multipart("b1", B64_PHOTO),
            "",
        ),
        True,
    ),
    "nested multipart with its own preamble and epilogue": (
        mail(
            *MIXED,
            "--b1",
            'Content-Type: multipart/alternative; boundary="b2"',
            "",
            *multipart("b2", TEXT, TEXT, pre="inner pre", post="inner epilogue\n"),
            *multipart("b1", B64_PHOTO, post="outer epilogue"),
        ),
        True,
    ),
    "outer delimiter inside an unclosed inner multipart": (
        mail(
            *MIXED,
            "--b1",
            'Content-Type: multipart/alternative; boundary="b2"',
            "",
            "--b2",
            *TEXT,
            *multipart("b1", B64_PHOTO),
            "",
        ),
        False,
    ),
    "empty part": (mail(*MIXED, "--b1", "", *multipart("b1", TEXT), ""), True),
    "part of a line end only": (mail(*MIXED, "--b1", "", "", *multipart("b1", TEXT), ""), True),
    "part with headers and no separator line": (
        mail(*MIXED, "--b1", "Content-Type: text/plain", *multipart("b1", TEXT), ""),
        False,
    ),
    "two delimiter lines in a row": (mail(*MIXED, "--b1", *multipart("b1", TEXT), ""), False),
    "missing close delimiter": (mail(*MIXED, "--b1", *TEXT, "end"), False),
    "close delimiter before any part": (
        mail(*MIXED, "--b1--", "", "words", *multipart("b1", TEXT)),
        False,
    ),
    "no delimiter at all": (mail(*MIXED, "just text", ""), False),
    "multipart without a boundary": (
        mail(*HEAD, "Content-Type: multipart/mixed", "", "--b1", *TEXT, "--b1--"),
        False,
    ),
    "multipart with a transfer encoding": (
        mail(
            *HEAD,
            'Content-Type: multipart/mixed; boundary="b1"',
            "Content-Transfer-Encoding: base64",
            "",
            *multipart("b1", TEXT),
        ),
        False,
    ),
    "boundary with regex characters": (
        mail(
            *HEAD,
            'Content-Type: multipart/mixed; boundary="=_a b\'()+,-./:=?"',
            "",
            *multipart("=_a b'()+,-./:=?", TEXT, B64_PHOTO),
        ),
        True,
    ),
    "boundary in RFC 2231 sections": (
        mail(
            *HEAD,
            'Content-Type: multipart/mixed; boundary*0="ab"; boundary*1="cd"',
            "",
            *multipart("abcd", TEXT),
        ),
        True,
    ),
    "forwarded message/rfc822 part": (
        mail(
            *MIXED,
            *multipart(
                "b1",
                TEXT,
                (
                    "Content-Type: message/rfc822",
                    "",
                    "From: kec@brebes.test",
                    "Subject: SK",
                    "",
                    "isi",
                ),
            ),
        ),
        True,
    ),
    "message/rfc822 holding a multipart": (
        mail(
            *MIXED,
            "--b1",
            "Content-Type: message/rfc822",
            "",
            "From: kec@brebes.test",
            'Content-Type: multipart/mixed; boundary="b2"',
            "",
            *multipart("b2", TEXT, post="inner tail"),
            *multipart("b1", TEXT),
        ),
        True,
    ),
    "a whole mail of message/rfc822": (
        mail(*HEAD, "Content-Type: message/rfc822", "", "Subject: inner", "", "body", ""),
        True,
    ),
    "message/rfc822 with an empty body": (
        mail(*MIXED, "--b1", "Content-Type: message/rfc822", "", *multipart("b1", TEXT)),
        False,
    ),
    "multipart/digest children are messages": (
        mail(
            *HEAD,
            'Content-Type: multipart/digest; boundary="d"',
            "",
            *multipart(
                "d",
                ("", "Subject: satu", "", "isi satu"),
                ("Content-Type: text/plain", "", "bukan pesan"),
            ),
        ),
        True,
    ),
    "delivery status": (
        mail(
            *HEAD,
            'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
            "",
            *multipart(
                "r",
                TEXT,
                (
                    "Content-Type: message/delivery-status",
                    "",
                    "Reporting-MTA: dns; mx",
                    "",
                    "Action: failed",
                ),
            ),
        ),
        False,
    ),
    "headers with an empty body": (mail(*HEAD, "", ""), True),
    "headers only, no separator line": (mail(*HEAD, ""), False),
    "nothing but headers, no line end": (mail(*HEAD), False),
    "an empty mail": (b"", False),
    "a body without headers": (mail("", "just a body", ""), True),
    "a unix From line first": (
        mail("From siti@warga.test Mon Mar  2 10:00:00 2026", *HEAD, "", "x"),
        True,
    ),
    "a From line in the middle of the headers": (
        mail(HEAD[0], "From siti@warga.test Mon Mar  2", HEAD[1], "", "x"),
        False,
    ),
    "a From line last in the headers": (mail(*HEAD, "From siti@warga.test", "", "x"), False),
    "a header block interrupted by a non-header line": (
        mail(*HEAD, "not a header", "", "body"),
        False,
    ),
    "first header line is a continuation": (mail(" folded", *HEAD, "", "x"), False),
    "a header without a name": (mail(*HEAD, ": no name", "", "x"), False),
    "folded, empty and spaceless headers": (
        mail(
            "Subject: very",
            "\tlong subject",
            "  continued",
            "X-Empty:",
            "X-Tight:value",
            "X-Blank-Continuation: a",
            " ",
            "",
            "b",
        ),
        True,
    ),
    "8-bit bytes in headers and body": (
        "Subject: Akta kelahiran \u00e9\nFrom: Andr\u00e9 <a@warga.test>\n\n"
        "Isi surat dengan \u00e9 dan \u2013.\n".encode()
        + b"latin-1 \xe9\xff\n",
        True,
    ),
    "control characters that split lines elsewhere": (
        mail(*MIXED, *multipart("b1", ("", "a\x0bb\x0cc\x1cd\x1de\x1ef\u0085g\u2028h", ""))),
        True,
    ),
    "a lone CR": (mail(*HEAD, "", "satu\rdua", ""), False),
    "mixed CRLF and LF": (
        mail(*MIXED, "").replace(b"\n", b"\r\n")
        + mail(*multipart("b1", TEXT, B64_PHOTO, pre="pre"), "").replace(b"--\n", b"--\r\n"),
        True,
    ),
    "deep but allowed nesting": (
        mail(
            *HEAD,
            *(
                line
                for depth in range(10)
                for line in (
                    f'Content-Type: multipart/mixed; boundary="n{depth}"',
                    "",
                    f"--n{depth}",
                )
            ),
            *TEXT,
            *(f"--n{depth}--" for depth in reversed(range(10))),
        ),
        True,
    ),
    "nesting past the limit": (
        mail(
            *HEAD,
            *(
                line
                for depth in range(mime_tree.MAX_DEPTH + 2)
                for line in (
                    f'Content-Type: multipart/mixed; boundary="n{depth}"',
                    "",
                    f"--n{depth}",
                )
            ),
            *TEXT,
            *(f"--n{depth}--" for depth in reversed(range(mime_tree.MAX_DEPTH + 2))),
        ),
        False,
    ),
}


def as_written_and_crlf() -> list[object]:
    """Each nasty mail as written (LF) and with CRLF line ends, unless its case is a lone CR."""
    cases: list[object] = []
    for name, (raw, fast) in sorted(NASTY.items()):
        cases.append(pytest.param(raw, fast, id=f"{name} (lf)"))
        if b"\r" not in raw.replace(b"\r\n", b""):
            cases.append(pytest.param(crlf(raw), fast, id=f"{name} (crlf)"))
    return cases


@pytest.mark.parametrize(("raw", "fast"), as_written_and_crlf())
def test_a_nasty_mail_reads_to_the_stdlib_tree_or_is_left_to_it(raw: bytes, fast: bool) -> None:
    assert_read_like_stdlib(raw, fast_expected=fast)
    assert_parsed_alike(ENVELOPE + raw)


@pytest.mark.parametrize("read_size", [8192, 2 * 8192])
@pytest.mark.parametrize("shift", [-2, -1, 0, 1])
def test_line_ends_across_the_stdlib_reads_8k_chunks(read_size: int, shift: int) -> None:
    """The stdlib feeds its parser 8192 characters at a time; a CRLF split between two reads
    (shift 0: the CR last of one read, the LF first of the next) is still one line end."""
    head = mail(*MIXED, "--b1", "", "", end="\r\n")
    pad = "x" * (read_size - 1 + shift - len(head))
    raw = head + mail(pad, *["A" * 76] * 300, "--b1--", "", end="\r\n")
    assert raw[read_size - 1 + shift : read_size + 1 + shift] == b"\r\n"
    assert_read_like_stdlib(raw, fast_expected=True)


def test_reading_through_parse_uses_the_fast_tree_and_keeps_the_attachments() -> None:
    raw = ENVELOPE + (CORPUS / "android_photo_attachment.eml").read_bytes()
    assert_same_tree(parse.read(raw), stdlib(raw))
    [photo] = parse.parse_mail(raw).messages[0].media
    fetched = parse.media_from(raw, photo.media_id)
    assert fetched is not None and fetched.content.startswith(b"\xff\xd8\xff")


def mutated(raw: bytes, rng: random.Random) -> bytes:
    """The mail with a few random line edits: what a broken client or a cut transfer leaves."""
    lines = raw.split(b"\n")
    delimiters = [line for line in lines if line.startswith(b"--")] or [b"--"]
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        edit = rng.randrange(8)
        if edit == 0 and len(lines) > 1:
            del lines[i]
        elif edit == 1:
            lines.insert(i, lines[i])
        elif edit == 2:
            lines.insert(i, rng.choice((b"", b"\r", b" ")))
        elif edit == 3:
            lines.insert(i, rng.choice(delimiters))
        elif edit == 4:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif edit == 5:
            lines[i] = lines[i].rstrip(b"\r")
        elif edit == 6:
            lines[i] += b"\r"
        else:
            lines[i] = b"\t" + lines[i]
    out = b"\n".join(lines)
    return out[: rng.randrange(len(out) + 1)] if rng.random() < 0.2 else out


@pytest.mark.parametrize("seed", range(8))
def test_randomly_damaged_mails_still_read_to_the_stdlib_tree(seed: int) -> None:
    """Seeded, so a failure replays; each damaged mail is read fast or left to the stdlib, and
    either way the tree is the stdlib's."""
    rng = random.Random(seed)
    originals = [(CORPUS / name).read_bytes() for name in CORPUS_MAILS]
    originals += [raw for raw, _ in NASTY.values()]
    originals += [m.raw for m in make_mails(10, 0.25, 0.5, seed)]
    for _ in range(150):
        assert_read_like_stdlib(mutated(rng.choice(originals), rng), fast_expected=None)

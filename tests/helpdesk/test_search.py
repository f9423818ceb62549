"""Search: full text over messages, subjects and names; register number, phone, email; scoped to
the user's offices; whatever is typed, never an error."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from helpdesk import search
from helpdesk.auth import load_principal
from helpdesk.db import transaction
from helpdesk.models import Contact, Ticket
from tests.conftest import TOMOHON_WA, inbound

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "KTP*",
    "NEAR(ktp rusak)",
    "ktp AND OR NOT",
    "^ktp",
    "body:ktp",
    "-ktp",
    "(ktp",
    "ktp)",
    "a' OR '1'='1",
    "'; DROP TABLE tickets; --",
    "ktp & | ! :*",
    "\\",
    "%_%",
    "\x00ktp",
    "ktp\x00rusak",
    "x" * 10_000,
    "ktp " * 500,
    "🙂 ktp",
    "ADU/BREBES/",
    "/",
    "@",
    "+",
    "0",
    " ",
]


async def _ids(rt, seed, username: str, q: str) -> list[int]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        principal = await load_principal(session, seed.users[username])
        assert principal is not None
        return await search.ticket_ids(session, principal, q)


@pytest.fixture
async def tickets(receive, rt):  # type: ignore[no-untyped-def]
    """Three Brebes tickets and one Tomohon ticket from real ingest."""
    ktp = await receive(inbound("KTP elektronik saya hilang di pasar", name="Siti Aminah"))
    akta = await receive(
        inbound("Akta kelahiran anak belum terbit", sender="6285711112222", name="Budi Santoso")
    )
    email = await receive(
        inbound("Mohon info pindah domisili", sender="6281300001111", name="Rina")
    )
    other = await receive(
        inbound(
            "KTP elektronik rusak, mohon bantuan",
            account=TOMOHON_WA,
            sender="6285200000009",
            name="Siti Tomohon",
        )
    )
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, email.ticket_id)
        contact = await session.get_one(Contact, ticket.contact_id)
        contact.email = "rina@example.id"
    return {
        "ktp": ktp.ticket_id,
        "akta": akta.ticket_id,
        "email": email.ticket_id,
        "other": other.ticket_id,
    }


async def test_words_find_tickets_through_their_messages(rt, seed, tickets):
    assert await _ids(rt, seed, "admin_brebes", "hilang") == [tickets["ktp"]]
    assert await _ids(rt, seed, "admin_brebes", "akta kelahiran") == [tickets["akta"]]
    # Words are prefixes, in any order, case and accents folded.
    assert await _ids(rt, seed, "admin_brebes", "KELAH AKT") == [tickets["akta"]]
    assert await _ids(rt, seed, "admin_brebes", "tidak-ada-yang-cocok") == []


async def test_a_message_added_later_is_found(rt, seed, tickets, receive):
    await receive(inbound("Sudah saya lampirkan fotokopi", name="Siti Aminah"))
    assert await _ids(rt, seed, "admin_brebes", "fotokopi") == [tickets["ktp"]]


async def test_subjects_and_names_are_searched(rt, seed, tickets):
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Ticket).where(Ticket.id == tickets["akta"]).values(subject="Permohonan KIA")
        )
    assert await _ids(rt, seed, "admin_brebes", "permohonan") == [tickets["akta"]]
    assert await _ids(rt, seed, "admin_brebes", "santoso") == [tickets["akta"]]
    assert await _ids(rt, seed, "admin_brebes", "budi sant") == [tickets["akta"]]


async def test_register_number_phone_and_email(rt, seed, tickets):
    async with rt.sessions() as session:
        register_no = (await session.get_one(Ticket, tickets["akta"])).register_no
    assert await _ids(rt, seed, "admin_brebes", register_no) == [tickets["akta"]]
    assert await _ids(rt, seed, "admin_brebes", register_no.lower()) == [tickets["akta"]]
    for phone in ("6285711112222", "085711112222", "+62 857-1111-2222"):
        assert await _ids(rt, seed, "admin_brebes", phone) == [tickets["akta"]], phone
    assert await _ids(rt, seed, "admin_brebes", "RINA@example.id") == [tickets["email"]]


async def test_results_stay_in_the_users_offices(rt, seed, tickets):
    assert await _ids(rt, seed, "admin_brebes", "rusak") == []
    assert await _ids(rt, seed, "admin_brebes", "elektronik") == [tickets["ktp"]]
    assert await _ids(rt, seed, "admin_tomohon", "elektronik") == [tickets["other"]]
    assert await _ids(rt, seed, "admin_tomohon", "6285711112222") == []
    assert sorted(await _ids(rt, seed, "root", "elektronik")) == sorted(
        [tickets["ktp"], tickets["other"]]
    )


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_queries_never_error(rt, seed, tickets, q):
    found = await _ids(rt, seed, "admin_brebes", q)
    assert tickets["other"] not in found


def test_input_is_reduced_to_plain_words():
    parsed = search.parse('"KTP" NEAR(rusak) AND x:* ' + "y" * 300)
    assert parsed is not None
    assert parsed.terms == ("ktp", "near", "rusak", "and", "x", "y" * search.MAX_TERM)
    assert search.fts5_expression(parsed.terms[:5]) == '"ktp"* "near"* "rusak"* "and"* "x"*'
    assert search.tsquery_expression(parsed.terms[:5]) == "ktp:* & near:* & rusak:* & and:* & x:*"
    assert search.parse("  ") is None and search.parse("***") is None
    assert len(search.parse("a " * 100).terms) == 1  # type: ignore[union-attr]
    assert search.normalise_phone("0812-3456-7890") == "6281234567890"


async def test_the_migration_made_the_full_text_objects(rt, backend):
    async with rt.engine.connect() as connection:
        if backend == "sqlite":
            rows = await connection.execute(
                text("SELECT type, name FROM sqlite_master WHERE name LIKE '%fts%'")
            )
            found = {(t, n) for t, n in rows}
            for name in search.FTS_TABLES:
                assert ("table", name) in found
                for suffix in ("ai", "ad", "au"):
                    assert ("trigger", f"{name}_{suffix}") in found
        else:
            rows = await connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'ix_%fts'")
            )
            found_pg = dict(rows.all())
            assert set(found_pg) == set(search.FTS_INDEXES)
            assert all("USING gin" in d and "_tsv)" in d for d in found_pg.values())
            rows = await connection.execute(
                text(
                    "SELECT table_name, column_name, generation_expression "
                    "FROM information_schema.columns WHERE column_name LIKE '%_tsv'"
                )
            )
            columns = {(t, c): g for t, c, g in rows}
            assert set(columns) == set(search.FTS_COLUMNS)
            assert all("'simple'" in g for g in columns.values())


async def test_a_deleted_message_leaves_the_index(rt, seed, tickets, receive):
    await receive(inbound("Ini fotokopi KK saya", name="Siti Aminah"))  # not the subject
    assert await _ids(rt, seed, "admin_brebes", "fotokopi") == [tickets["ktp"]]
    async with transaction(rt.sessions) as session:
        await session.execute(
            text("DELETE FROM messages WHERE ticket_id = :t"), {"t": tickets["ktp"]}
        )
    assert await _ids(rt, seed, "admin_brebes", "fotokopi") == []


async def test_the_api_searches_with_q(client, seed, tickets):
    response = await client.get(
        "/api/v1/tickets",
        params={"q": "kelahiran", "status": ""},
        headers=seed.bearer("admin_brebes"),
    )
    assert response.status_code == 200, response.text
    assert [t["id"] for t in response.json()["items"]] == [tickets["akta"]]
    hostile = await client.get(
        "/api/v1/tickets", params={"q": 'NEAR("'}, headers=seed.bearer("admin_brebes")
    )
    assert hostile.status_code == 200 and hostile.json()["items"] == []


async def _many(receive, count: int, text_: str, first_sender: int) -> list[int]:  # type: ignore[no-untyped-def]
    """`count` Brebes tickets, oldest first, each from its own sender."""
    found = []
    for n in range(count):
        received = await receive(
            inbound(text_, sender=f"62812{first_sender + n:08d}", name="Warga")
        )
        found.append(received.ticket_id)
    return found


POSTGRESQL_ONLY = pytest.mark.parametrize("backend", ["postgresql"])


@pytest.fixture
def small_windows(monkeypatch, rt):  # type: ignore[no-untyped-def]
    """PostgreSQL's newest-rows-first search with windows a few tests can fill: the newest 3
    messages or 3 tickets, a page of 2, and fresh statistics read for each search. (SQLite's
    FTS5 walks its index newest first already: these tests are PostgreSQL's alone.)"""
    monkeypatch.setattr(search, "RECENT_MESSAGES", 3)
    monkeypatch.setattr(search, "RECENT_TICKETS", 3)
    monkeypatch.setattr(search, "ENOUGH", 2)
    monkeypatch.setattr(search, "COMMON", 1)
    monkeypatch.setattr(search, "_word_shares", None)
    monkeypatch.setattr(search, "STATS_TTL", -1.0)

    async def analyze() -> None:
        async with rt.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("ANALYZE messages, tickets, contacts")

    return analyze


@POSTGRESQL_ONLY
async def test_a_common_word_is_found_in_the_newest_messages_newest_first(
    rt, seed, receive, small_windows
):
    old = await _many(receive, 3, "Blangko KTP habis di kecamatan", 1)
    new = await _many(receive, 4, "Blangko KTP habis lagi", 100)
    await small_windows()
    shares = (await _common_words_of(rt))["messages.body_tsv"]
    assert shares.get("blangko", 0) > 0.5  # the statistics call it common: the newest rows first
    # A page (2) and more were in the newest 3 messages: the older ones are not looked for.
    assert await _ids(rt, seed, "admin_brebes", "blangko") == new[:0:-1]
    assert old and new[0] not in await _ids(rt, seed, "admin_brebes", "blangko")


@POSTGRESQL_ONLY
async def test_a_rare_old_word_is_still_found_beside_common_ones(rt, seed, receive, small_windows):
    (flood,) = await _many(receive, 1, "Rumah kami kena banjir, KTP hilang", 1)
    lost = await _many(receive, 2, "KTP hilang mohon bantuan", 100)
    await _many(receive, 3, "KTP rusak mohon bantuan", 200)
    await small_windows()
    assert await _ids(rt, seed, "admin_brebes", "banjir") == [flood]  # rare: through the index
    assert await _ids(rt, seed, "admin_brebes", "ktp banjir") == [flood]
    # Common, but the newest rows hold none: the older ones are looked up, newest first.
    assert await _ids(rt, seed, "admin_brebes", "hilang") == [*lost[::-1], flood]


@POSTGRESQL_ONLY
async def test_a_common_name_and_a_rare_one(rt, seed, receive, small_windows):
    older = await receive(inbound("Mohon info", sender="6281299990001", name="Hendra Lubis"))
    budis = []
    for n in range(5):
        budis.append(
            await receive(inbound("Halo", sender=f"62812888800{n:02d}", name="Budi Santoso"))
        )
    await small_windows()
    found = await _ids(rt, seed, "admin_brebes", "budi")
    assert found[:3] == [b.ticket_id for b in budis][::-1][:3]
    assert await _ids(rt, seed, "admin_brebes", "hendra lubis") == [older.ticket_id]


async def _common_words_of(rt):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await search._common_words(session)


@POSTGRESQL_ONLY
async def test_a_rare_word_found_in_many_messages_is_still_looked_for_in_names(
    rt, seed, receive, small_windows
):
    flooded = await _many(receive, 3, "Rumah kami kena banjir", 1)
    await _many(receive, 8, "KTP hilang mohon bantuan", 100)
    named = await receive(inbound("Mohon info", sender="6281277770001", name="Banjir Santoso"))
    await small_windows()
    found = await _ids(rt, seed, "admin_brebes", "banjir")
    assert set(found) == {*flooded, named.ticket_id}  # a page (2) from messages did not stop it


async def test_a_prefix_finds_every_word_it_starts(rt, seed, receive, backend):
    """SQLite expands a term into the indexed words it starts (migration 0015's vocabularies),
    PostgreSQL reads it as a prefix: the same tickets either way."""
    plain = await receive(inbound("KTP saya hilang", sender="6281200000001", name="Warga Satu"))
    suffixed = await receive(inbound("KTPnya rusak", sender="6281200000002", name="Warga Dua"))
    accented = await receive(inbound("Antrean di kafé", sender="6281200000003", name="Warga"))
    assert await _ids(rt, seed, "admin_brebes", "ktp") == [suffixed.ticket_id, plain.ticket_id]
    assert await _ids(rt, seed, "admin_brebes", "ktpn") == [suffixed.ticket_id]
    assert await _ids(rt, seed, "admin_brebes", "ktp hilang") == [plain.ticket_id]
    assert await _ids(rt, seed, "admin_brebes", "ktpx") == []
    assert await _ids(rt, seed, "admin_brebes", "kafé") == [accented.ticket_id]
    if backend == "sqlite":  # unicode61 folds accents ('simple' on PostgreSQL does not)
        assert await _ids(rt, seed, "admin_brebes", "kafe") == [accented.ticket_id]
    # A name: the tickets of the matching contacts, the newest first, for a superuser too.
    both = [suffixed.ticket_id, plain.ticket_id]
    assert await _ids(rt, seed, "admin_brebes", "warga") == [accented.ticket_id, *both]
    assert await _ids(rt, seed, "root", "warga d") == [suffixed.ticket_id]


async def test_a_prefix_of_many_words_stays_a_prefix(rt, seed, receive, monkeypatch):
    words = ["kantor", "kartu", "kasih", "kami"]
    found = [
        (await receive(inbound(f"{w} saya", sender=f"628120000001{n}", name="Warga"))).ticket_id
        for n, w in enumerate(words)
    ]
    monkeypatch.setattr(search, "MAX_EXPANSION", 2)  # four words start "ka": past the limit
    assert await _ids(rt, seed, "admin_brebes", "ka") == found[::-1]
    assert await _ids(rt, seed, "admin_brebes", "kar saya") == [found[1]]


def test_expand_probes_the_vocabulary_word_by_word():
    vocabulary = ["ka", "kami", "kantor", "kartu", "ktp", "ktpnya"]

    def next_word(low: str, high: str) -> str | None:
        return next((w for w in vocabulary if low <= w < high), None)

    assert search.expand(next_word, "ktp") == ["ktp", "ktpnya"]
    assert search.expand(next_word, "kan") == ["kantor"]
    assert search.expand(next_word, "kx") == []
    assert search.expand(next_word, "k") == vocabulary
    assert search.expand(next_word, "ka") == ["ka", "kami", "kantor", "kartu"]
    assert search.expand(next_word, "kafé") is None  # not plain ASCII: left to the tokenizer
    assert search.expand(next_word, "ktp_el") is None
    assert search.fts5_words_expression(["ktp", "kafé"], [["ktp", "ktpnya"], None]) == (
        '("ktp" OR "ktpnya") AND "kafé"*'
    )
    assert search.fts5_words_expression(["ktp", "zz"], [["ktp"], []]) is None


def test_the_index_is_asked_for_the_rare_terms_only():
    shares = {"ktp": 0.07, "ktpnya": 0.01, "kartu": 0.07, "tsunami": 0.0005, search._ROWS: 3e6}
    assert search._index_terms(shares, ("ktp", "tsunami")) == ("tsunami",)
    assert search._index_terms(shares, ("ktp", "banjir")) == ("banjir",)  # unknown: rare
    assert search._index_terms(shares, ("ktp", "kartu")) == ("ktp", "kartu")  # no rare one
    # A small table: every word is rare enough for the index.
    assert search._index_terms({**shares, search._ROWS: 1000}, ("ktp", "kartu")) == ("ktp", "kartu")


@POSTGRESQL_ONLY
async def test_a_rare_word_beside_a_common_one_is_looked_up_by_the_rare_one(
    rt, seed, receive, small_windows, monkeypatch
):
    (flood,) = await _many(receive, 1, "Rumah kami kena banjir, KTP hilang", 1)
    await _many(receive, 4, "KTP hilang mohon bantuan", 100)
    await small_windows()
    monkeypatch.setattr(search, "INDEX_HITS", 2)  # "ktp" is in every message: common
    shares = (await _common_words_of(rt))["messages.body_tsv"]
    assert search._index_terms(shares, ("ktp", "banjir")) == ("banjir",)
    assert await _ids(rt, seed, "admin_brebes", "ktp banjir") == [flood]
    assert await _ids(rt, seed, "admin_brebes", "banjir hilang") == [flood]
    assert await _ids(rt, seed, "admin_brebes", "banjir mohon") == []

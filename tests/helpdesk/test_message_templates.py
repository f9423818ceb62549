"""The template cache: shared through the database, refreshed when stale, and honest when the
platform cannot be asked (the last good list stays, with the reason)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from channels.base import MessageTemplate, PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from helpdesk.db import transaction
from helpdesk.message_templates import (
    TemplateRefused,
    clean_parameters,
    fill,
    templates_for,
)
from helpdesk.models import ChannelAccount, TemplateCache, utcnow
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA

WABA = "102290129340398"
READY = MessageTemplate(
    "dokumen_siap_diambil",
    "id",
    "APPROVED",
    "UTILITY",
    "Yth. {{1}}, dokumen {{2}} siap di {{3}}.",
    ("1", "2", "3"),
    header="Dinas Dukcapil",
    footer="Layanan Pengaduan",
)


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    config = SimulatorConfig(
        numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        status_delays=StatusDelays(sent=30, delivered=30, read=None),
        business_account_id=WABA,
    )
    return serve_whatsapp_simulator(config)


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


async def brebes_account(rt, **config: str) -> ChannelAccount:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
        account.config = {**account.config, **config}
    async with rt.sessions() as session:
        return await session.get_one(ChannelAccount, account.id)


async def test_an_account_without_a_business_account_id_lists_nothing_and_asks_nobody(
    rt, seed, simulator
):
    listing = await templates_for(rt, await brebes_account(rt))
    assert listing.templates == () and listing.fetched_at is None
    async with rt.sessions() as session:
        assert list(await session.scalars(select(TemplateCache))) == []


async def test_a_failed_listing_keeps_the_last_good_list_and_says_why(rt, seed, simulator):
    account = await brebes_account(rt, business_account_id=WABA)
    first = await templates_for(rt, account)
    assert first.find("dokumen_siap_diambil", "id") is not None and first.error is None

    broken = await brebes_account(rt, access_token="token-dicabut")
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(TemplateCache).values(fetched_at=utcnow() - timedelta(hours=2))
        )
    stale = await templates_for(rt, broken)
    assert stale.templates == first.templates
    assert stale.error is not None and stale.error.startswith("[190]")
    async with rt.sessions() as session:
        marked = await session.get_one(ChannelAccount, account.id)
    assert marked.health == "needs_attention"  # an expired token needs a human, as on send

    # A failure is not retried on every page view; a refresh asks again at once.
    fixed = await brebes_account(rt, access_token=ACCESS_TOKEN)
    assert (await templates_for(rt, fixed)).error is not None
    refreshed = await templates_for(rt, fixed, refresh=True)
    assert refreshed.error is None and refreshed.fetched_at > first.fetched_at


async def test_a_first_listing_that_fails_gives_an_empty_list_with_the_reason(rt, seed, simulator):
    account = await brebes_account(rt, business_account_id="999", access_token=ACCESS_TOKEN)
    listing = await templates_for(rt, account)
    assert listing.templates == () and listing.fetched_at is None
    assert listing.error is not None and "[100]" in listing.error


def test_the_filled_text_is_what_the_citizen_reads():
    assert fill(READY, ("Siti", "KK", "loket 2")) == (
        "Dinas Dukcapil\n\nYth. Siti, dokumen KK siap di loket 2.\n\nLayanan Pengaduan"
    )


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (("Siti", "KK"), "template_parameters"),
        (("Siti", "KK", "a", "b"), "template_parameters"),
        (("Siti", "  \n ", "loket"), "template_parameter_empty"),
        (("Siti", "x" * 1001, "loket"), "template_parameter_long"),
    ],
)
def test_values_that_do_not_fit_the_template_are_refused(values, reason):
    with pytest.raises(TemplateRefused) as refused:
        clean_parameters(READY, values)
    assert str(refused.value) == reason


def test_values_become_single_lines():
    assert clean_parameters(READY, ("Siti\nAminah", "KK\t ", "loket    2")) == (
        "Siti Aminah",
        "KK",
        "loket 2",
    )


def test_an_unusable_template_takes_no_values():
    paused = MessageTemplate("x", "id", "PAUSED", "UTILITY", "Hai", usable=False)
    with pytest.raises(TemplateRefused):
        clean_parameters(paused, ())

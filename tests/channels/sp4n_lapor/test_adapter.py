"""The adapter's side of a follow-up: which report, which file, and accounts without the API."""

from __future__ import annotations

import pytest

from channels.base import (
    AccountConfig,
    ContentKind,
    OutboundMedia,
    OutboundMessage,
    PermanentError,
    PlatformEndpoints,
)
from channels.sp4n_lapor.adapter import LaporAdapter
from tests.channels.sp4n_lapor.conftest import AGENCY, TOKEN

ACCOUNT = AccountConfig(AGENCY, {"agency_id": AGENCY, "api_token": TOKEN})


def adapter(sim) -> LaporAdapter:  # type: ignore[no-untyped-def]
    return LaporAdapter(PlatformEndpoints(lapor_api_url=sim.api_url, timeout_seconds=5))


async def test_a_reply_with_a_file_is_posted_on_the_tickets_report(lapor_sim):
    tracking = lapor_sim.file()
    reply = OutboundMessage(
        recipient_id=f"anonim:{tracking}",
        body="Surat keterangan terlampir.",
        thread_refs=(tracking, f"{tracking}/e7"),
        media=OutboundMedia(ContentKind.document, b"%PDF-1.4", "application/pdf", "surat.pdf"),
    )
    external_id = await adapter(lapor_sim).send(ACCOUNT, reply)
    (entry,) = lapor_sim.store.reports[tracking].conversation
    assert external_id == f"{tracking}/{entry.entry_id}"
    assert [(f.filename, f.content) for f in entry.files] == [("surat.pdf", b"%PDF-1.4")]
    assert await adapter(lapor_sim).send(ACCOUNT, reply) == external_id  # a retry: no second


async def test_an_import_only_account_refuses_to_send_with_a_reason(lapor_sim):
    no_api = AccountConfig(AGENCY, {"agency_id": AGENCY})
    reply = OutboundMessage(recipient_id="x", body="Jawaban", thread_refs=("2611001",))
    with pytest.raises(PermanentError) as refused:
        await adapter(lapor_sim).send(no_api, reply)
    assert refused.value.code == "no_api" and "LAPOR portal" in refused.value.message


async def test_a_ticket_without_a_report_cannot_be_followed_up(lapor_sim):
    with pytest.raises(PermanentError) as refused:
        await adapter(lapor_sim).send(ACCOUNT, OutboundMessage(recipient_id="x", body="Jawaban"))
    assert refused.value.code == "no_report"

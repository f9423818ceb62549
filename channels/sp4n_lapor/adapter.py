"""The SP4N-LAPOR adapter: reports forwarded to the office are polled, follow-ups posted back.

Config (offices file, `kind = "sp4n_lapor"`): `agency_id` (the key: the office's agency id in
LAPOR), `api_token` (the developer-role token; without it the account is import-only: reports
come in from the portal's export or by hand, and replies must be posted in the portal);
optional `poll_seconds` (120). Base URL: `HELPDESK_LAPOR_API_URL`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    ContentKind,
    ExternalClock,
    FetchedMedia,
    ImportBatch,
    MediaRef,
    MediaRule,
    OutboundMessage,
    ParsedPayload,
    PermanentError,
    PollSink,
    StatusReport,
    TicketChange,
    WebhookRequest,
)
from channels.sp4n_lapor import export
from channels.sp4n_lapor.http_client import HttpLaporClient
from channels.sp4n_lapor.parse import parse_report, tracking_id_of
from channels.sp4n_lapor.poller import FeedSettings, ReportPoller
from channels.sp4n_lapor.types import LaporClient, OutgoingFile

FIRST_FOLLOW_UP = ExternalClock(
    name="lapor_first_follow_up",
    label="LAPOR: tindak lanjut pertama (5 hari kerja sejak disposisi)",
    working_days=5,
    starts="opened",
)
AFTER_FOLLOW_UP = ExternalClock(
    name="lapor_after_follow_up",
    label="LAPOR: 10 hari kerja setelah tindak lanjut pertama",
    working_days=10,
    starts="first_response",
)

# LAPOR's statuses for ours (README "The assumed contract"); answers themselves go as follow-ups.
LAPOR_STATUS = {
    TicketChange.resolved: "selesai",
    TicketChange.closed: "selesai",
    TicketChange.reopened: "proses",
    TicketChange.out_of_authority: "bukan_kewenangan",  # the note names the agency it belongs to
}


class LaporAdapter(ChannelAdapter):
    kind = "sp4n_lapor"
    key_field = "agency_id"
    required_fields = ("agency_id",)
    secret_fields = ("api_token",)
    continues_open_ticket = False  # every report is its own matter; replies thread by tracking ID
    reports_ticket_status = True
    reports_out_of_authority = True  # LAPOR's `bukan_kewenangan`: it can send the report on
    external_clocks = (FIRST_FOLLOW_UP, AFTER_FOLLOW_UP)
    # What a follow-up may carry (our assumption: scans and letters, as the portal accepts).
    outbound_media = (
        MediaRule(ContentKind.image, frozenset({"image/jpeg", "image/png"}), 10 * 1024 * 1024),
        MediaRule(ContentKind.document, frozenset({"application/pdf"}), 10 * 1024 * 1024),
    )

    def client(self, account: AccountConfig) -> LaporClient:
        token = account.get("api_token")
        if not token:
            raise PermanentError(
                "this LAPOR account has no API token: post the follow-up in the LAPOR portal",
                code="no_api",
            )
        return HttpLaporClient(
            self.endpoints.lapor_api_url,
            account.get("agency_id"),
            token,
            timeout=self.endpoints.timeout_seconds,
            max_media_bytes=self.endpoints.max_media_bytes,
        )

    def authenticate(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
        return False  # LAPOR is polled, never pushes

    def parse(self, body: bytes) -> ParsedPayload:
        return parse_report(body)

    async def poll(self, account: AccountConfig, sink: PollSink) -> None:
        if not account.get("api_token"):
            await asyncio.Event().wait()  # import-only: nothing to fetch, ever
        settings = FeedSettings(key=account.key, poll_seconds=_seconds(account))
        await ReportPoller(settings, self.client(account), sink).run()

    async def send(self, account: AccountConfig, message: OutboundMessage) -> str:
        """Post the reply as a follow-up (tindak lanjut) on the ticket's report."""
        first = next(iter(message.thread_refs), None) or message.reply_to_external_id
        if not first:
            raise PermanentError("the ticket has no LAPOR report to follow up", code="no_report")
        tracking_id = tracking_id_of(first)
        files = (
            (
                OutgoingFile(
                    message.media.filename or "lampiran",
                    message.media.mime_type,
                    message.media.content,
                ),
            )
            if message.media is not None
            else ()
        )
        # The same reply retried after a lost answer must not become a second follow-up.
        key = hashlib.sha256(
            "\x1f".join(
                (tracking_id, message.register_no or "", message.body, *message.thread_refs[-1:])
            ).encode()
        ).hexdigest()
        lapor = self.client(account)
        try:
            receipt = await lapor.post_follow_up(
                tracking_id, message.body, files, idempotency_key=key
            )
        finally:
            await lapor.aclose()
        return f"{tracking_id}/{receipt.entry_id}"[:255]

    async def report_status(self, account: AccountConfig, report: StatusReport) -> None:
        """Set the report's status in LAPOR (`selesai` once the office is done with it, `proses`
        when it is reopened, `bukan_kewenangan` when it is another agency's, the note saying
        whose); setting the same status again changes nothing there."""
        first = next(iter(report.thread_refs), None)
        if not first:
            raise PermanentError("the ticket has no LAPOR report", code="no_report")
        lapor = self.client(account)
        try:
            await lapor.post_status(tracking_id_of(first), LAPOR_STATUS[report.change], report.note)
        finally:
            await lapor.aclose()

    async def fetch_media(self, account: AccountConfig, media: MediaRef) -> FetchedMedia:
        lapor = self.client(account)
        try:
            content, mime, name = await lapor.fetch_attachment(media.media_id)
        finally:
            await lapor.aclose()
        return FetchedMedia(content=content, mime_type=mime, filename=name or media.filename)

    def import_file(self, account: AccountConfig, data: bytes, filename: str) -> ImportBatch:
        return export.read_export(account.key, data, filename)

    def import_pasted(
        self, account: AccountConfig, ref: str, text: str, fields: Mapping[str, str]
    ) -> ImportBatch:
        return export.read_pasted(account.key, ref, text, fields)


def _seconds(account: AccountConfig) -> float:
    try:
        return max(5.0, float(account.get("poll_seconds", "120")))
    except ValueError:
        raise PermanentError("poll_seconds must be a number", code="config") from None

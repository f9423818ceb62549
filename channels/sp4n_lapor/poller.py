"""Reading LAPOR's feed of reports forwarded to the agency into inbound events.

LAPOR lists a report when it is forwarded (disposisi) and again whenever it changes (a new
reply from the citizen or from LAPOR's admins), each listing with the feed position after it.
Each report is fetched whole (attachments and conversation) and stored together with that
position as the cursor, in one transaction (`PollSink.store`): a restart resumes after the
last report stored, so nothing is fetched twice or skipped. Messages already on the timeline
(the report, replies seen before) are dropped by ingest's unique (account, platform id).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from channels.base import PermanentError, PolledItem, PollSink
from channels.sp4n_lapor.types import LaporClient, report_document

CURSOR = "lapor:disposisi"
PAGE = 50


@dataclass(frozen=True)
class FeedSettings:
    key: str  # the account key (agency id) written into each stored report
    poll_seconds: float = 120.0
    page_size: int = PAGE


class ReportPoller:
    def __init__(self, settings: FeedSettings, client: LaporClient, sink: PollSink) -> None:
        self.settings = settings
        self.client = client
        self.sink = sink

    async def run(self) -> None:
        """Sync, then wait, until cancelled or LAPOR fails (the helpdesk retries with backoff)."""
        try:
            while True:
                await self.sync()
                # A round worked: clears an error the poll loop recorded (an outage), as email's.
                await self.sink.healthy()
                await asyncio.sleep(self.settings.poll_seconds)
        finally:
            await asyncio.shield(self.client.aclose())

    async def sync(self) -> int:
        """Store every report listed after the cursor; returns how many were stored."""
        stored = 0
        position = (await self.sink.cursor(CURSOR) or {}).get("cursor")
        while True:
            page = await self.client.list_forwarded(position, self.settings.page_size)
            latest = {item.tracking_id: item for item in page.items}
            for item in page.items:
                if latest[item.tracking_id] is not item:
                    # Listed again further down this page: fetch it once, in its latest state
                    # (should we stop in between, the cursor is still before that listing).
                    await self.sink.advance(CURSOR, {"cursor": item.cursor})
                    position = item.cursor
                    continue
                try:
                    report = await self.client.fetch_report(item.tracking_id)
                except PermanentError as exc:
                    if exc.code != "not_found":
                        raise  # the account shows the error; the loop tries again later
                    # Withdrawn or forwarded elsewhere since it was listed: nothing to store.
                    await self.sink.advance(CURSOR, {"cursor": item.cursor})
                    position = item.cursor
                    continue
                await self.sink.store(
                    CURSOR,
                    PolledItem(
                        body=report_document(report, self.settings.key),
                        cursor={"cursor": item.cursor},
                        facts={
                            "tracking_id": report.tracking_id,
                            "changed_at": item.changed_at.isoformat(),
                        },
                    ),
                )
                position = item.cursor
                stored += 1
            if page.cursor and page.cursor != position:
                await self.sink.advance(CURSOR, {"cursor": page.cursor})
                position = page.cursor
            if not page.has_more or not page.items:
                return stored

"""What the rest of the code sees of the job system."""

from __future__ import annotations

import logging
from typing import Any, Protocol


class RetryLater(Exception):
    """Raised by a job to be run again after `defer` seconds (up to the job's max tries)."""

    def __init__(self, defer: float) -> None:
        super().__init__(f"retry in {defer:.1f}s")
        self.defer = defer


class JobQueue(Protocol):
    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer: float | None = None
    ) -> None:
        """Queue a job. `job_id` drops a duplicate while the first is still pending."""

    async def close(self) -> None: ...


async def enqueue_or_leave_to_sweep(
    queue: JobQueue, name: str, *args: Any, job_id: str | None = None
) -> None:
    """Enqueue after a commit. If the queue is down the row is already stored: the sweep runs it."""
    try:
        await queue.enqueue(name, *args, job_id=job_id)
    except Exception:
        logging.getLogger(__name__).exception("could not enqueue %s%r; the sweep will", name, args)

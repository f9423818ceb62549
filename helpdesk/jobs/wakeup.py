"""One job for many signals: "work has arrived" from every webhook becomes one queued drain,
and a few drains at a time per process (Gate)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from helpdesk.jobs.queue import JobQueue

log = logging.getLogger(__name__)


class Wakeup:
    """The first signal schedules the job `delay` seconds later; signals until then ride along.

    The job is queued after every signal it covers, so it sees the rows they announced. Queue
    trouble loses nothing: the rows are stored, and the periodic sweep wakes the job as well.
    """

    def __init__(self, queue: JobQueue, job: str, delay: float = 0.01) -> None:
        self.queue = queue
        self.job = job
        self.delay = delay
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Task[None]] = set()

    def __call__(self) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._timer = None  # a signal from now on needs a job queued after it: a new timer
        task = asyncio.get_running_loop().create_task(self._enqueue())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _enqueue(self) -> None:
        try:
            await self.queue.enqueue(self.job)
        except Exception:
            log.exception("could not queue %s; the sweep will", self.job)

    async def flush(self) -> None:
        """Queue a scheduled job now and wait until every queued job is handed over (tests,
        shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._fire()
        if self._sending:
            await asyncio.gather(*self._sending)


class Gate:
    """At most `limit` runs of a draining job at once in this process. A run asked for while
    all are busy is folded into theirs: one of them goes round once more before it stops, so
    work announced at any moment is still seen, without a pile of runners contending."""

    def __init__(self, limit: int = 2) -> None:
        self.limit = limit
        self.running = 0
        self.again = False

    async def run(self, work: Callable[[], Awaitable[int]]) -> int:
        if self.running >= self.limit:
            self.again = True
            return 0
        self.running += 1
        total = 0
        try:
            while True:
                self.again = False
                total += await work()
                if not self.again:
                    return total
        finally:
            self.running -= 1

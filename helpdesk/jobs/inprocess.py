"""The embedded job runner: asyncio tasks inside the web process, for `make run` without Redis.

Jobs are not persisted here, and need not be: every job works from database rows, and the
periodic sweep (run at start too) re-enqueues whatever was pending when the process stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from helpdesk import ingest
from helpdesk.jobs.queue import RetryLater
from helpdesk.jobs.tasks import JOBS, STALE_AFTER, SWEEP_EVERY_SECONDS
from helpdesk.runtime import Runtime

log = logging.getLogger(__name__)


class InProcessQueue:
    def __init__(
        self, rt: Runtime, workers: int = 2, sweep_every: float | None = SWEEP_EVERY_SECONDS
    ):
        self.rt = rt
        self.workers = workers
        self.sweep_every = sweep_every
        self._queue: asyncio.Queue[tuple[str, tuple[Any, ...], str | None, int]] = asyncio.Queue()
        self._pending_ids: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._busy = 0

    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer: float | None = None
    ) -> None:
        self._put(name, args, job_id, 1, defer)

    def _put(
        self,
        name: str,
        args: tuple[Any, ...],
        job_id: str | None,
        job_try: int,
        defer: float | None,
    ) -> None:
        if name not in JOBS:
            raise KeyError(f"unknown job {name!r}")
        if job_id is not None:
            if job_id in self._pending_ids:
                return
            self._pending_ids.add(job_id)
        if defer:
            loop = asyncio.get_running_loop()
            handle = loop.call_later(defer, self._queue.put_nowait, (name, args, job_id, job_try))
            self._timers.add(handle)
        else:
            self._queue.put_nowait((name, args, job_id, job_try))

    def start(self) -> None:
        ingest.prepare()
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        if self.sweep_every is not None:  # None: the caller sweeps (tests do, explicitly)
            self._tasks.append(asyncio.create_task(self._sweep_forever(self.sweep_every)))

    async def _sweep_forever(self, every: float) -> None:
        # At start nothing of ours is in flight: whatever is pending was left by the last run.
        stale_after = timedelta(0)
        while True:
            try:
                await JOBS["sweep"].func(self.rt, stale_after=stale_after)
            except Exception:
                log.exception("sweep failed")
            stale_after = STALE_AFTER
            await asyncio.sleep(every)

    async def _work(self) -> None:
        while True:
            name, args, job_id, job_try = await self._queue.get()
            self._busy += 1
            if job_id is not None:
                self._pending_ids.discard(job_id)
            try:
                await JOBS[name].func(self.rt, *args, job_try=job_try)
            except RetryLater as retry:
                if job_try < JOBS[name].max_tries:
                    self._put(name, args, job_id, job_try + 1, retry.defer)
                else:
                    log.warning("job %s%r gave up after %d tries", name, args, job_try)
            except Exception:
                log.exception("job %s%r failed", name, args)
            finally:
                self._busy -= 1
                self._queue.task_done()

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until nothing is queued or running (deferred jobs not counted). For tests."""
        async with asyncio.timeout(timeout):
            while self._queue.qsize() or self._busy:  # noqa: ASYNC110 - a test helper's poll
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        for handle in self._timers:
            handle.cancel()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

"""The arq side: the queue used when HELPDESK_REDIS_URL is set, and `helpdesk worker`.

https://arq-docs.helpmanual.io/
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from arq import Retry, create_pool, cron
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Function, Worker, func

from helpdesk import ingest
from helpdesk.jobs.queue import RetryLater
from helpdesk.jobs.tasks import JOBS, JobSpec, sweep
from helpdesk.runtime import Runtime, settle_heap
from helpdesk.settings import Settings

QUEUE_NAME = "helpdesk:jobs"


class ArqQueue:
    def __init__(self, pool: ArqRedis, queue_name: str = QUEUE_NAME) -> None:
        self.pool = pool
        self.queue_name = queue_name

    @classmethod
    async def connect(cls, redis_url: str, queue_name: str = QUEUE_NAME) -> ArqQueue:
        pool = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=queue_name)
        return cls(pool, queue_name)

    async def enqueue(
        self, name: str, *args: Any, job_id: str | None = None, defer: float | None = None
    ) -> None:
        if name not in JOBS:
            raise KeyError(f"unknown job {name!r}")
        # arq keys job ids globally (`arq:job:<id>`); scope ours to the queue so two installs
        # (or test runs) sharing a Redis never swallow each other's jobs as duplicates, and so
        # that every key of a queue's jobs carries its name (a job without an id gets a unique
        # one, as arq would give it).
        scoped_id = f"{self.queue_name}:{job_id or uuid.uuid4().hex}"
        await self.pool.enqueue_job(
            name, *args, _job_id=scoped_id, _defer_by=defer, _queue_name=self.queue_name
        )

    async def close(self) -> None:
        await self.pool.aclose()


def _arq_function(name: str, spec: JobSpec) -> Function:
    @functools.wraps(spec.func)
    async def run(ctx: dict[str, Any], *args: Any) -> Any:
        try:
            return await spec.func(ctx["runtime"], *args, job_try=ctx.get("job_try", 1))
        except RetryLater as retry:
            raise Retry(defer=retry.defer) from retry

    return func(run, name=name, max_tries=spec.max_tries)


def _cron_sweep() -> Callable[[dict[str, Any]], Awaitable[Any]]:
    async def sweep(ctx: dict[str, Any]) -> Any:
        return await JOBS["sweep"].func(ctx["runtime"])

    return sweep


def cron_name(queue_name: str, job: str) -> str:
    """arq names a cron run `<name>:<its time>` and keeps one job per name in all of Redis: a
    name without the queue's would let one install's sweep stand for another's."""
    return f"{queue_name}:{job}"


def lower_priority(niceness: int) -> None:
    """Run this process at `niceness` at least (never raising its priority)."""
    if niceness > os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, min(niceness, 19))


def worker_settings(settings: Settings, queue_name: str | None = None) -> dict[str, Any]:
    """Keyword arguments for `arq.worker.Worker`, built from our settings (nothing at import)."""
    if not settings.redis_url:
        raise SystemExit("HELPDESK_REDIS_URL is not set: `helpdesk worker` needs Redis")
    queue_name = queue_name or settings.queue_name

    async def on_startup(ctx: dict[str, Any]) -> None:
        lower_priority(settings.worker_nice)
        rt = Runtime.create(settings)
        rt.queue = ArqQueue(ctx["redis"], queue_name)
        ctx["runtime"] = rt
        # The polled channels' loops (IMAP): a lease in the database gives each mailbox to
        # one worker; the others take over when it stops renewing (helpdesk.polling). Started
        # first, so a mailbox is read while the rest of the start-up runs.
        from helpdesk.polling import Pollers

        ctx["pollers"] = Pollers(rt)
        ctx["pollers"].start()
        ingest.prepare()
        # Whatever is pending now may have lost its queued job (a crash, a Redis restart).
        # Taking it again is safe: every job is idempotent and ids drop queued duplicates.
        await sweep(rt, stale_after=timedelta(0))
        settle_heap()

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "pollers" in ctx:
            await ctx["pollers"].close()
        if "runtime" in ctx:
            await ctx["runtime"].close()

    return {
        "functions": [_arq_function(name, spec) for name, spec in JOBS.items() if name != "sweep"],
        "cron_jobs": [
            cron(_cron_sweep(), name=cron_name(queue_name, "sweep"), second={0, 30}, unique=True)
        ],
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": queue_name,
        "max_jobs": 20,
        # How long a queued job may wait for an idle worker to look (arq's default is 0.5 s):
        # a citizen's message reaches the inbox that much later. Ten looks a second cost Redis
        # next to nothing.
        "poll_delay": 0.1,
        "job_timeout": 300,
        "keep_result": 0,
        "health_check_key": f"{queue_name}:health-check",
    }


def make_worker(settings: Settings, queue_name: str | None = None, **overrides: Any) -> Worker:
    return Worker(**{**worker_settings(settings, queue_name), **overrides})

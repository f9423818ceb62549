"""The arq side: installs (or test runs) sharing one Redis never take each other's jobs, and a
worker yields the CPU to the web processes it shares a host with."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from helpdesk.jobs.worker import ArqQueue, make_worker
from helpdesk.settings import Settings
from tests.conftest import REDIS_URL, _require


@pytest.fixture
async def redis() -> AsyncIterator[ArqRedis]:
    _require("Redis", "127.0.0.1", 6379)
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL))
    yield pool
    await pool.aclose()


@pytest.fixture
def queues(redis: ArqRedis) -> list[str]:
    return [f"helpdesk:test:{uuid.uuid4().hex}" for _ in range(2)]


@pytest.fixture
async def forget(redis: ArqRedis, queues: list[str]) -> AsyncIterator[None]:
    yield
    for queue in queues:
        ids = [m.decode() for m in await redis.zrange(queue, 0, -1)]
        await redis.delete(queue, *(f"arq:job:{job_id}" for job_id in ids))


def _settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
        data_dir=tmp_path,
        secret_key="x" * 32,
        redis_url=REDIS_URL,
    )


async def test_two_installs_sharing_a_redis_each_queue_their_own_cron_sweep(
    redis: ArqRedis, queues: list[str], forget: None, tmp_path
):
    due = datetime.now(UTC).replace(microsecond=0)
    for queue in queues:
        worker = make_worker(_settings(tmp_path), queue, redis_pool=redis, handle_signals=False)
        (sweep,) = worker.cron_jobs
        sweep.next_run = due  # both installs' sweeps fall due at the same second
        await worker.run_cron(due, delay=0.5)

    for queue in queues:
        (job_id,) = [m.decode() for m in await redis.zrange(queue, 0, -1)]
        assert job_id.startswith(f"{queue}:")


async def test_every_job_of_a_queue_is_keyed_under_its_name(
    redis: ArqRedis, queues: list[str], forget: None
):
    queue = ArqQueue(redis, queues[0])
    await queue.enqueue("drain_inbound")
    await queue.enqueue("drain_inbound")  # no id: not a duplicate of the first
    await queue.enqueue("send_outbox_item", 7, job_id="outbox:7")
    await queue.enqueue("send_outbox_item", 7, job_id="outbox:7")  # a duplicate while queued

    ids = sorted(m.decode() for m in await redis.zrange(queues[0], 0, -1))
    assert len(ids) == 3
    assert all(job_id.startswith(f"{queues[0]}:") for job_id in ids)
    assert f"{queues[0]}:outbox:7" in ids


async def test_the_same_job_id_in_two_queues_is_two_jobs(
    redis: ArqRedis, queues: list[str], forget: None
):
    for name in queues:
        await ArqQueue(redis, name).enqueue("check_deadlines", job_id="deadlines")

    for name in queues:
        assert await redis.zcard(name) == 1


def test_a_worker_lowers_its_cpu_priority_and_never_raises_it():
    lower = min(os.getpriority(os.PRIO_PROCESS, 0) + 2, 19)
    script = (
        "import os\n"
        "from helpdesk.jobs.worker import lower_priority\n"
        f"lower_priority({lower})\n"
        "print(os.getpriority(os.PRIO_PROCESS, 0))\n"
        f"lower_priority({lower - 1})\n"
        "print(os.getpriority(os.PRIO_PROCESS, 0))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == [str(lower), str(lower)]

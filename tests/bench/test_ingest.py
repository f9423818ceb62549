"""bench.ingest's clean-up: a run deletes every Redis key of its own queue, and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from bench.ingest import clear_queue
from helpdesk.jobs.worker import ArqQueue
from tests.conftest import REDIS_URL, _require


@pytest.fixture
async def redis() -> AsyncIterator[ArqRedis]:
    _require("Redis", "127.0.0.1", 6379)
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL))
    yield pool
    await pool.aclose()


async def _keys_naming(redis: ArqRedis, queue: str) -> set[bytes]:
    return {key async for key in redis.scan_iter(match=f"*{queue}*", count=1000)}


async def test_clear_queue_deletes_the_queue_and_all_its_job_keys_and_only_those(redis: ArqRedis):
    ours, theirs = (f"bench:ingest:{uuid.uuid4().hex}" for _ in range(2))
    await ArqQueue(redis, theirs).enqueue("drain_inbound")
    queue = ArqQueue(redis, ours)
    await queue.enqueue("drain_inbound")  # an id of the helpdesk's making
    await queue.enqueue("send_outbox_item", 3, job_id="outbox:3")
    job = await redis.enqueue_job("drain_inbound", _queue_name=ours)  # an id of arq's making
    assert job is not None
    await redis.set(f"{ours}:health-check", b"alive")
    theirs_before = await _keys_naming(redis, theirs)

    try:
        clear_queue(REDIS_URL, ours)
        assert await _keys_naming(redis, ours) == set()
        assert not await redis.exists(f"arq:job:{job.job_id}")
        assert await _keys_naming(redis, theirs) == theirs_before
    finally:
        clear_queue(REDIS_URL, theirs)
    assert await _keys_naming(redis, theirs) == set()

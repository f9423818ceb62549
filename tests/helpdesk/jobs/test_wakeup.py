"""Many 'work has arrived' signals become few drain jobs, and no signal is ever left unserved."""

from __future__ import annotations

import asyncio
from typing import Any

from helpdesk.jobs.wakeup import Gate, Wakeup


class RecordingQueue:
    def __init__(self) -> None:
        self.jobs: list[str] = []

    async def enqueue(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.jobs.append(name)

    async def close(self) -> None:
        pass


async def test_signals_close_together_queue_one_job():
    queue = RecordingQueue()
    wake = Wakeup(queue, "drain_inbound", delay=0.01)
    for _ in range(50):
        wake()
    await asyncio.sleep(0.05)
    assert queue.jobs == ["drain_inbound"]


async def test_a_signal_after_the_job_was_queued_queues_another():
    queue = RecordingQueue()
    wake = Wakeup(queue, "drain_inbound", delay=0.01)
    wake()
    await asyncio.sleep(0.05)
    wake()
    await wake.flush()
    assert queue.jobs == ["drain_inbound", "drain_inbound"]


async def test_a_queue_that_is_down_loses_the_signal_to_the_sweep_without_raising():
    class DownQueue(RecordingQueue):
        async def enqueue(self, name: str, *args: Any, **kwargs: Any) -> None:
            raise ConnectionError("redis is down")

    wake = Wakeup(DownQueue(), "drain_inbound", delay=0)
    wake()
    await wake.flush()  # logged, not raised: the rows are stored and the sweep wakes the drain


async def test_a_run_asked_for_while_the_gate_is_full_is_folded_into_a_running_one():
    gate = Gate(limit=1)
    rounds = 0
    started = asyncio.Event()
    release = asyncio.Event()

    async def work() -> int:
        nonlocal rounds
        rounds += 1
        started.set()
        await release.wait()
        return 1

    running = asyncio.create_task(gate.run(work))
    await started.wait()
    assert await gate.run(work) == 0  # folded: returns at once
    release.set()
    assert await running == 2  # the running one went round once more for it
    assert rounds == 2 and gate.running == 0

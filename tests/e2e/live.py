"""A live helpdesk for end-to-end tests: the real app on a real port, and on PostgreSQL a real
arq worker beside it, each in a thread with its own event loop (as separate processes would be)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from helpdesk.app import create_app
from helpdesk.settings import Settings


def reserve_port() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve_helpdesk(settings: Settings, sock: socket.socket) -> Iterator[str]:
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the helpdesk did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(15)


@contextmanager
def run_worker(settings: Settings) -> Iterator[None]:
    """`helpdesk worker`, in a thread. Nothing to do without Redis (jobs run in-process)."""
    if not settings.redis_url:
        yield
        return
    from helpdesk.jobs.worker import make_worker

    loop = asyncio.new_event_loop()
    task: list[asyncio.Task[None]] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        # arq binds the worker to the loop current at construction: build it in its thread.
        worker = make_worker(settings, handle_signals=False, poll_delay=0.05)
        task.append(loop.create_task(worker.main()))
        try:
            loop.run_until_complete(task[0])
        except asyncio.CancelledError:
            pass
        finally:
            loop.run_until_complete(worker.close())
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        deadline = time.monotonic() + 5
        while not task and time.monotonic() < deadline:
            time.sleep(0.01)
        if task:
            loop.call_soon_threadsafe(task[0].cancel)
        thread.join(15)

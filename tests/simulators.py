"""Shared fixtures: a WhatsApp Cloud API simulator on a real port, and a webhook receiver.

Servers run in background threads with their own event loops, so sync tests, async tests
and tests driving the helpdesk app can all use them.

- `whatsapp_simulator` -> `SimulatorHandle(base_url, store)`; `.graph_url` is the helpdesk's
  GRAPH_API_URL. Override `simulator_config` in a test module to point webhooks elsewhere.
- `serve_whatsapp_simulator(config)` -> a handle, for tests needing a config of their own.
- `webhook_receiver` -> `WebhookReceiver` recording what is POSTed to it.
- `wait_until(predicate, timeout=15)` -> the predicate's first truthy value, or a failure.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, TypeVar

import pytest
import uvicorn
from litestar import Litestar

from channels.whatsapp.simulator import (
    SimNumber,
    SimStore,
    SimulatorConfig,
    StatusDelays,
    create_simulator,
)

T = TypeVar("T")

APP_SECRET = "rahasia-aplikasi-uji"
NUMBERS = [
    SimNumber(
        "109876543210001", "+62 21 5550 0001", "token-kota-bandung", "Disdukcapil Kota Bandung"
    ),
    SimNumber("109876543210002", "+62 22 5550 0002", "token-kab-garut", "Disdukcapil Kab. Garut"),
]


class SimulatorHandle(NamedTuple):
    base_url: str
    store: SimStore

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/graph/"


@dataclass
class CapturedRequest:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass
class WebhookReceiver:
    """Records every POST; answers with the queued statuses first, then 200."""

    url: str = ""
    requests: list[CapturedRequest] = field(default_factory=list)
    responses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[CapturedRequest]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} webhook calls, got {len(self.requests)}")


@contextmanager
def serve_app(build: Callable[[str], Any]) -> Iterator[str]:
    """Serve `build(base_url)` (an ASGI app) with uvicorn on a free port in a thread.

    The socket is bound first so the app can know its own URL (the simulator's media URLs).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(build(base_url), log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            with receiver.lock:
                receiver.requests.append(CapturedRequest(self.path, headers, body))
                status = receiver.responses.pop(0) if receiver.responses else 200
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/whatsapp"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def simulator_config(webhook_receiver: WebhookReceiver) -> SimulatorConfig:
    """Fast statuses and retries, webhooks to `webhook_receiver`."""
    return SimulatorConfig(
        numbers=list(NUMBERS),
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        status_delays=StatusDelays(sent=0.05, delivered=0.15, read=0.25),
        webhook_backoff_seconds=0.05,
    )


@pytest.fixture
def serve_whatsapp_simulator() -> Iterator[Callable[[SimulatorConfig], SimulatorHandle]]:
    with ExitStack() as stack:

        def serve(config: SimulatorConfig) -> SimulatorHandle:
            apps: list[Litestar] = []

            def build(base_url: str) -> Litestar:
                apps.append(create_simulator(replace(config, public_url=base_url)))
                return apps[0]

            base_url = stack.enter_context(serve_app(build))
            return SimulatorHandle(base_url, apps[0].state.sim.store)

        yield serve


@pytest.fixture
def whatsapp_simulator(
    serve_whatsapp_simulator: Callable[[SimulatorConfig], SimulatorHandle],
    simulator_config: SimulatorConfig,
) -> SimulatorHandle:
    return serve_whatsapp_simulator(simulator_config)


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    def wait(predicate: Callable[[], T], timeout: float = 15.0) -> T:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.01)

    return wait

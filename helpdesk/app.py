"""`create_app(settings)`: the one Litestar app (API, webhooks, inbox). Nothing at import."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from helpdesk.api.actions import TicketActionsApi
from helpdesk.api.events import InboundEventsApi
from helpdesk.api.routes import TicketsApi
from helpdesk.jobs.inprocess import InProcessQueue
from helpdesk.polling import Pollers
from helpdesk.reports.api import ReportsApi
from helpdesk.runtime import Runtime, settle_heap
from helpdesk.settings import PROJECT_ROOT, Settings
from helpdesk.web.attachments import download_attachment
from helpdesk.web.deps import provide_db, provide_runtime
from helpdesk.web.errors import http_exception_handler, internal_error_handler
from helpdesk.web.health import healthz, livez
from helpdesk.web.webhooks import receive_webhook, verify_webhook
from inbox import i18n, live
from inbox.routes import INBOX_ROUTES, inbox_exception_handler

log = logging.getLogger(__name__)

TEMPLATES = PROJECT_ROOT / "templates"
STATIC = Path(__file__).resolve().parent.parent / "inbox" / "static"
# Paths that authenticate otherwise (bearer tokens, platform signatures) need no CSRF token.
CSRF_EXEMPT = [r"^/api/", r"^/webhooks/", r"^/healthz", r"^/schema"]


async def _warm(rt: Runtime) -> None:
    """What the first webhooks after a start would otherwise wait for: the accounts, and the
    adapters of the channels that have one (each imports its platform's modules when built)."""
    try:
        kinds = await rt.warm_accounts()
    except Exception:  # the first webhook reads them instead
        log.exception("could not read the channel accounts at start")
        return
    for kind in kinds & set(rt.adapters):
        _ = rt.adapters[kind]  # built on first use: now, not in the first webhook's time


def create_app(
    settings: Settings, runtime: Runtime | None = None, *, jobs: bool = True
) -> Litestar:
    """Build the app. Pass `runtime` to share one (tests); `jobs=False` leaves the queue to you."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        rt = runtime or Runtime.create(settings)
        app.state.runtime = rt
        rt.events = live.publisher(channels)  # helpdesk.notify publishes through the plugin
        owns_queue = jobs and rt.queue is None
        queue: InProcessQueue | None = None
        if owns_queue:
            if settings.redis_url:
                from helpdesk.jobs.worker import ArqQueue

                rt.queue = await ArqQueue.connect(settings.redis_url, settings.queue_name)
            else:
                queue = InProcessQueue(rt, workers=settings.inprocess_workers)
                rt.queue = queue
        # Embedded mode (no Redis, no `helpdesk worker`): this process polls the mailboxes too.
        pollers = Pollers(rt) if owns_queue and not settings.redis_url else None
        if pollers is not None:
            # Before the start's CPU work (the queue's calendars, the adapters, the heap): a
            # poll loop's first steps are round trips to the database and the mail server,
            # which then overlap that work instead of following it.
            pollers.start()
            await asyncio.sleep(0)  # lets the loop send its first query now
        if queue is not None:
            queue.start()
        if runtime is None:  # a process of its own (tests share theirs)
            await _warm(rt)
            settle_heap()
        try:
            yield
        finally:
            if pollers is not None:
                await pollers.close()
            if owns_queue and rt.queue is not None:
                await rt.queue.close()
                rt.queue = None
            rt.events = None
            if runtime is None:
                await rt.close()

    channels = live.channels_plugin(settings)  # live inbox updates: memory, or Redis
    session_secret = hashlib.sha256(f"session:{settings.secret_key}".encode()).digest()
    return Litestar(
        route_handlers=[
            healthz,
            livez,
            verify_webhook,
            receive_webhook,
            TicketsApi,
            TicketActionsApi,
            InboundEventsApi,
            ReportsApi,
            download_attachment,
            *INBOX_ROUTES,
            create_static_files_router(path="/static", directories=[STATIC], cache_control=None),
        ],
        dependencies={
            "rt": Provide(provide_runtime, sync_to_thread=False),
            "db": Provide(provide_db),
        },
        lifespan=[lifespan],
        plugins=[channels],
        middleware=[
            CookieBackendConfig(
                secret=session_secret,
                key="helpdesk_session",
                max_age=12 * 3600,
                secure=settings.secure_cookies,
                httponly=True,
                samesite="lax",
                # Platforms and API clients carry no session; spare them the cookie work.
                exclude=[*CSRF_EXEMPT, r"^/livez", r"^/static/"],
            ).middleware
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="helpdesk_csrf",
            cookie_secure=settings.secure_cookies,
            header_name="x-csrftoken",
            exclude=CSRF_EXEMPT,
        ),
        template_config=TemplateConfig(
            directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=i18n.install
        ),
        openapi_config=OpenAPIConfig(
            title="Dukcapil helpdesk",
            version="1",
            path="/schema",
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        exception_handlers={
            HTTPException: inbox_exception_handler(http_exception_handler),
            Exception: inbox_exception_handler(internal_error_handler),
        },
        # Given a runtime, requests work even where no lifespan runs (in-loop test clients).
        state=State({"runtime": runtime}) if runtime is not None else None,
        request_max_body_size=1024 * 1024,
        debug=False,
    )

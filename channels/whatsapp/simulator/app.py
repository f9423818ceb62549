"""Build and serve the simulator: a Litestar app standing in for Meta's Graph API.

Meta products plug in as `GraphProduct`s behind the shared Graph routes of
`channels.meta.simulator` (plus any routes of their own): WhatsApp here, the Page and Instagram
surfaces (`channels.meta.simulator.social`) when given, each with its own memory and webhooks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from channels.meta.simulator import social_page, social_routes
from channels.meta.simulator.social import SocialProduct
from channels.whatsapp.simulator import control, graph_routes, page, whatsapp_api
from channels.whatsapp.simulator.config import SimulatorConfig
from channels.whatsapp.simulator.runtime import Simulator

_TEMPLATES = Path(__file__).parent / "templates"
_META_TEMPLATES = Path(social_page.__file__).parent / "templates"


def create_simulator(config: SimulatorConfig, social: Sequence[SocialProduct] = ()) -> Litestar:
    """A fresh simulator with empty memory; `app.state.sim` is its `Simulator`. `social`
    adds the Page and Instagram surfaces (`channels.facebook.simulator`, `…instagram…`)."""
    sim = Simulator(config, products=(whatsapp_api.WhatsAppProduct(), *social))

    def provide_sim() -> Simulator:
        return sim

    return Litestar(
        route_handlers=[
            *graph_routes.handlers,
            *whatsapp_api.handlers,
            *control.handlers,
            *page.handlers,
            *social_routes.handlers,
            *social_page.handlers,
        ],
        dependencies={"sim": Provide(provide_sim, sync_to_thread=False)},
        state=State({"sim": sim}),
        on_shutdown=[sim.stop, *(product.stop for product in social)],
        template_config=TemplateConfig(
            directory=[_TEMPLATES, _META_TEMPLATES], engine=JinjaTemplateEngine
        ),
        openapi_config=None,
        # It runs inside other processes (tests, the demo): log its own errors, leave the root
        # logger to its host.
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="always"),
    )


def build_server(config: SimulatorConfig, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the simulator (quiet: no access log, which would show tokens)."""
    app = create_simulator(config)
    return uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    )


async def serve_simulator(
    config: SimulatorConfig, host: str = "127.0.0.1", port: int = 8900
) -> None:
    """Serve until cancelled; run it as an asyncio task next to the helpdesk.

    Cancelling the task shuts uvicorn down gracefully (listener closed, background webhook
    work cancelled) before the cancellation propagates.
    """
    server = build_server(config, host, port)
    serving = asyncio.ensure_future(server.serve())
    try:
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        server.should_exit = True
        await serving
        raise

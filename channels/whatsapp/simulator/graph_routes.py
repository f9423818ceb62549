"""The shared Graph API routes now live in `channels.meta.simulator.graph_routes`."""

from channels.meta.simulator.graph_routes import handlers

__all__ = ["handlers"]

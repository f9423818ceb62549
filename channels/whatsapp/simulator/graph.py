"""The Graph conventions now live in `channels.meta.simulator.graph`, shared by every Meta
product; this name stays so the WhatsApp simulator modules import them unchanged."""

from channels.meta.simulator.graph import (
    BadParams,
    GraphEdgeProduct,
    GraphProduct,
    Params,
    access_token,
    error_response,
    invalid_token,
    new_numeric_id,
    ok,
    read_params,
    unsupported_object,
)

__all__ = [
    "BadParams",
    "GraphEdgeProduct",
    "GraphProduct",
    "Params",
    "access_token",
    "error_response",
    "invalid_token",
    "new_numeric_id",
    "ok",
    "read_params",
    "unsupported_object",
]

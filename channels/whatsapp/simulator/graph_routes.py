"""The Graph API routes shared by every Meta product: authenticate, then let the owner answer.

https://developers.facebook.com/docs/graph-api/overview
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from channels.whatsapp.simulator import graph
from channels.whatsapp.simulator.runtime import SimulatorDep


@post("/graph/{version:str}/{object_id:str}/messages", status_code=200)
async def post_messages(
    request: Request[Any, Any, Any], sim: SimulatorDep, object_id: FromPath[str]
) -> Response[Any]:
    try:
        params = await graph.read_params(request)
    except graph.BadParams as exc:
        return graph.error_response(400, 100, f"(#100) {exc}")
    token = graph.access_token(request, params)
    if not token or not any(p.owns_token(sim, token) for p in sim.products):
        return graph.invalid_token(token)
    for product in sim.products:
        response = await product.post_messages(sim, request, object_id, params)
        if response is not None:
            return response
    return graph.unsupported_object("post", object_id)


@get("/graph/{version:str}/{object_id:str}")
async def get_object(
    request: Request[Any, Any, Any], sim: SimulatorDep, object_id: FromPath[str]
) -> Response[Any]:
    token = graph.access_token(request, {})
    if not token or not any(p.owns_token(sim, token) for p in sim.products):
        return graph.invalid_token(token)
    for product in sim.products:
        response = await product.get_object(sim, request, object_id, token)
        if response is not None:
            return response
    return graph.unsupported_object("get", object_id)


handlers = [post_messages, get_object]

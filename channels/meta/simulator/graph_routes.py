"""The Graph API routes shared by every Meta product: authenticate, then let the owner answer.

Any host app may mount them; it provides the running simulator as the `sim` dependency, with
`products` (the `GraphProduct`s asked in order). https://developers.facebook.com/docs/graph-api/overview
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from channels.meta.simulator import graph

SimDep = NamedDependency[Any]


@post("/graph/{version:str}/{object_id:str}/messages", status_code=200)
async def post_messages(
    request: Request[Any, Any, Any], sim: SimDep, object_id: FromPath[str]
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


@post("/graph/{version:str}/{object_id:str}/{edge:str}", status_code=200)
async def post_edge(
    request: Request[Any, Any, Any], sim: SimDep, object_id: FromPath[str], edge: FromPath[str]
) -> Response[Any]:
    """Other edges (`/{comment_id}/comments`, `/{comment_id}/replies`…), by the id's owner."""
    try:
        params = await graph.read_params(request)
    except graph.BadParams as exc:
        return graph.error_response(400, 100, f"(#100) {exc}")
    token = graph.access_token(request, params)
    if not token or not any(p.owns_token(sim, token) for p in sim.products):
        return graph.invalid_token(token)
    for product in sim.products:
        if isinstance(product, graph.GraphEdgeProduct):
            response = await product.post_edge(sim, request, object_id, edge, params)
            if response is not None:
                return response
    return graph.unsupported_object("post", object_id)


@get("/graph/{version:str}/{object_id:str}")
async def get_object(
    request: Request[Any, Any, Any], sim: SimDep, object_id: FromPath[str]
) -> Response[Any]:
    token = graph.access_token(request, {})
    if not token or not any(p.owns_token(sim, token) for p in sim.products):
        return graph.invalid_token(token)
    for product in sim.products:
        response = await product.get_object(sim, request, object_id, token)
        if response is not None:
            return response
    return graph.unsupported_object("get", object_id)


handlers = [post_messages, post_edge, get_object]

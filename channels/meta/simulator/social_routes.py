"""The `/_sim/{surface}/` JSON API for the Page and Instagram surfaces: the citizen's side,
the admin in Meta's own apps, the fault switches, and the attachment CDN.

This is the simulator's own contract, not Meta's.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post, route
from litestar.di import NamedDependency
from litestar.params import FromPath

from channels.meta.simulator.shared import bad, read_json
from channels.meta.simulator.social import InboundError, SocialProduct, parse_fault

SimDep = NamedDependency[Any]


def social_product(sim: Any, surface: str) -> SocialProduct | None:
    return next(
        (p for p in sim.products if isinstance(p, SocialProduct) and p.spec.name == surface),
        None,
    )


@post("/_sim/{surface:str}/{action:str}", status_code=200)
async def act(
    request: Request[Any, Any, Any], sim: SimDep, surface: FromPath[str], action: FromPath[str]
) -> Response[Any]:
    """`message`, `comment`, `comment_change`, `app_message` (see `SocialProduct`)."""
    product = social_product(sim, surface)
    if product is None:
        return bad(f"no surface {surface!r}", 404)
    data = await read_json(request)
    handlers = {
        "message": product.citizen_message,
        "comment": product.citizen_comment,
        "comment_change": product.change_comment,
        "app_message": product.app_message,
    }
    handler = handlers.get(action)
    if handler is None:
        return bad(f"unknown action {action!r}", 404)
    try:
        item = await handler(data)
    except InboundError as exc:
        return bad(str(exc))
    status = item.delivery.first_status if item.delivery else None
    return Response({"id": item.id, "item": item.to_dict(), "webhook_status": status})


@get("/_sim/{surface:str}/items")
async def items(sim: SimDep, surface: FromPath[str]) -> Response[Any]:
    product = social_product(sim, surface)
    if product is None:
        return bad(f"no surface {surface!r}", 404)
    return Response({"items": [i.to_dict() for i in product.store.items]})


@route("/_sim/{surface:str}/faults", http_method=["POST", "DELETE"], status_code=200)
async def faults(
    request: Request[Any, Any, Any], sim: SimDep, surface: FromPath[str]
) -> Response[Any]:
    """POST arms a fault for the next sends (they queue up in order); DELETE clears them."""
    product = social_product(sim, surface)
    if product is None:
        return bad(f"no surface {surface!r}", 404)
    if request.method == "DELETE":
        product.store.faults.clear()
    else:
        try:
            product.store.faults.append(parse_fault(await read_json(request)))
        except ValueError as exc:
            return bad(str(exc))
    return Response({"faults": [f.to_dict() for f in product.store.faults]})


@get("/_sim/{surface:str}/cdn/{opaque:str}")
async def cdn(
    request: Request[Any, Any, Any], sim: SimDep, surface: FromPath[str], opaque: FromPath[str]
) -> Response[Any]:
    """Stands in for Meta's attachment CDN: public URLs, which must never be sent a token."""
    product = social_product(sim, surface)
    media = product.store.media.get(opaque) if product is not None else None
    if "authorization" in request.headers:
        return Response(b"a CDN URL takes no token", status_code=400, media_type="text/plain")
    if media is None:
        return Response(b"Not Found", status_code=404, media_type="text/plain")
    return Response(media.content, status_code=200, media_type=media.mime_type)


handlers = [act, items, faults, cdn]

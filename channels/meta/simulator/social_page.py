"""The demo page for Facebook and Instagram: write as a citizen (a message, a comment, a reply
to a comment, an edit or removal), answer as an admin in Meta's own apps, and watch the
helpdesk's answers arrive. Server-rendered with Jinja autoescaping, no JavaScript.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from channels.meta.simulator.social import InboundError, SocialProduct
from channels.meta.simulator.social_routes import SimDep

_ACTIONS = {
    "message": "citizen_message",
    "comment": "citizen_comment",
    "comment_change": "change_comment",
    "app_message": "app_message",
}
_FIELDS = ("account_id", "from", "name", "text", "parent_id", "comment_id", "verb", "to")


@get("/_sim/social", include_in_schema=False)
async def index(request: Request[Any, Any, Any], sim: SimDep) -> Template:
    surfaces = [p for p in sim.products if isinstance(p, SocialProduct)]
    return Template(
        "meta_sim/social.html",
        context={
            "surfaces": surfaces,
            "notice": request.query_params.get("notice", ""),
            "clock": lambda ts: time.strftime("%H:%M:%S", time.localtime(ts)),
        },
    )


@post("/_sim/social-send", include_in_schema=False)
async def send(
    sim: SimDep,
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """Every form of the page: the same paths as the JSON API, then back to the page."""
    product = next(
        (
            p
            for p in sim.products
            if isinstance(p, SocialProduct) and p.spec.name == data.get("surface")
        ),
        None,
    )
    action = _ACTIONS.get(data.get("action", ""))
    if product is None or action is None:
        notice = "Gagal: permintaan tidak dikenal"
    else:
        fields = {k: data[k] for k in _FIELDS if data.get(k)}
        try:
            item = await getattr(product, action)(fields)
        except InboundError as exc:
            notice = f"Gagal: {exc}"
        else:
            status = item.delivery.first_status if item.delivery else None
            notice = f"Webhook ke helpdesk: {f'HTTP {status}' if status else 'tidak terjangkau'}"
    return Redirect(path="/_sim/social", query_params={"notice": notice}, status_code=303)


handlers = [index, send]

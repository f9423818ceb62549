"""The demo page: type as a citizen, watch the helpdesk's replies and their ticks arrive.

Server-rendered with Jinja autoescaping; a few lines of JavaScript refresh the conversations.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from channels.whatsapp.simulator.runtime import Simulator, SimulatorDep
from channels.whatsapp.simulator.store import SimMessage
from channels.whatsapp.simulator.whatsapp_events import InboundError, receive_from_citizen

_STATUS_LABELS = {
    "accepted": "menunggu",
    "sent": "terkirim",
    "delivered": "sampai",
    "read": "dibaca",
    "failed": "gagal",
}


@get(["/", "/_sim/"], include_in_schema=False)
async def index(request: Request[Any, Any, Any], sim: SimulatorDep) -> Template:
    query = request.query_params
    form = {key: query.get(key, "") for key in ("phone_number_id", "from", "name")}
    notice = query.get("notice", "")
    return Template(
        "simulator/index.html", context=_context(sim) | {"form": form, "notice": notice}
    )


@get("/_sim/conversations", include_in_schema=False)
async def conversations(sim: SimulatorDep) -> Template:
    return Template("simulator/_conversations.html", context=_context(sim))


@post("/_sim/send", include_in_schema=False)
async def send_as_citizen(
    sim: SimulatorDep,
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """The page's form: the same path as `POST /_sim/inbound`, then back to the page."""
    fields = {key: data.get(key, "") for key in ("phone_number_id", "from", "name", "text")}
    try:
        record = await receive_from_citizen(sim, fields | {"type": "text"})
    except InboundError as exc:
        notice = f"Gagal: {exc}"
    else:
        assert record.delivery is not None
        status = record.delivery.first_status
        notice = f"Webhook ke helpdesk: {f'HTTP {status}' if status else 'tidak terjangkau'}"
    keep = {key: fields[key] for key in ("phone_number_id", "from", "name")}
    return Redirect(path="/_sim/", query_params=keep | {"notice": notice}, status_code=303)


@get("/_sim/media/{media_id:str}", include_in_schema=False)
async def sent_media(sim: SimulatorDep, media_id: str) -> Response[bytes]:
    """A file the office sent, as the citizen's phone would show it (the page's link)."""
    media = sim.store.media.get(media_id)
    if media is None:
        return Response(b"Tidak ditemukan", status_code=404, media_type="text/plain")
    # Served as a download so a hostile file never renders in the simulator's origin.
    name = "".join(c for c in media.filename or "" if 32 <= ord(c) < 127 and c not in '"\\')
    name = name or "berkas"
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(media.content, media_type=media.mime_type, headers=headers)


def _context(sim: Simulator) -> dict[str, Any]:
    threads: dict[str, dict[str, list[SimMessage]]] = defaultdict(lambda: defaultdict(list))
    for message in sim.store.messages:
        threads[message.phone_number_id][message.citizen].append(message)
    offices = [
        {"number": number, "citizens": dict(threads.get(number.phone_number_id, {}))}
        for number in sim.config.numbers
    ]
    return {
        "offices": offices,
        "numbers": sim.config.numbers,
        "status_labels": _STATUS_LABELS,
        "clock": _clock,
    }


def _clock(timestamp: int) -> str:
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


handlers = [index, conversations, send_as_citizen, sent_media]

"""The `/_sim/` JSON API tests and the demo drive: the citizen's side and the fault switches.

This is the simulator's own contract, not Meta's.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post

from channels.meta.simulator.shared import bad, read_json
from channels.whatsapp.simulator.faults import FaultRequest
from channels.whatsapp.simulator.runtime import SimulatorDep
from channels.whatsapp.simulator.whatsapp_events import (
    InboundError,
    emit_status,
    receive_from_citizen,
)

_STATUSES = ("sent", "delivered", "read", "failed")


@post("/_sim/inbound", status_code=200)
async def inbound(request: Request[Any, Any, Any], sim: SimulatorDep) -> Response[Any]:
    """A citizen writes to an office number; answers the wamid and the webhook's HTTP status."""
    data = await read_json(request)
    try:
        record = await receive_from_citizen(sim, data)
    except InboundError as exc:
        return bad(str(exc))
    assert record.delivery is not None
    return Response({"id": record.id, "webhook_status": record.delivery.first_status})


@post("/_sim/raw", status_code=200)
async def raw(request: Request[Any, Any, Any], sim: SimulatorDep) -> Response[Any]:
    """POST a caller-given body once: `{"payload": …}` or `{"body": "<text>"}`.

    Signed with the app secret unless `"sign": false`; `"signature"` sends that header as is.
    """
    data = await read_json(request)
    if "payload" not in data and not isinstance(data.get("body"), str):
        return bad("give 'payload' (JSON) or 'body' (a string)")
    signature = data.get("signature")
    body = data["body"].encode() if isinstance(data.get("body"), str) else None
    delivery = await sim.webhooks.deliver(
        data.get("payload"),
        kind="raw",
        retry=False,
        sign=data.get("sign", True) is not False,
        signature=str(signature) if signature is not None else None,
        body=body,
    )
    return Response({"webhook_status": delivery.first_status})


@post("/_sim/status", status_code=200)
async def status(request: Request[Any, Any, Any], sim: SimulatorDep) -> Response[Any]:
    """Emit one status webhook for an outbound message now (`code` for `failed`)."""
    data = await read_json(request)
    record = sim.store.message(str(data.get("id", "")))
    if record is None or record.direction != "outbound":
        return bad("unknown outbound message id", 404)
    if data.get("status") not in _STATUSES:
        return bad(f"'status' must be one of {', '.join(_STATUSES)}")
    code = data.get("code")
    if code is not None and not isinstance(code, int):
        return bad("'code' must be an integer")
    event = await emit_status(sim, record, data["status"], code)
    assert event.delivery is not None
    return Response({"webhook_status": event.delivery.first_status})


@get("/_sim/messages")
async def messages(sim: SimulatorDep) -> dict[str, Any]:
    """Every message both ways, per office number, in the order they happened."""
    return {
        "numbers": [
            {
                "phone_number_id": number.phone_number_id,
                "display_phone_number": number.display_phone_number,
                "label": number.label,
                "messages": [
                    m.to_dict()
                    for m in sim.store.messages
                    if m.phone_number_id == number.phone_number_id
                ],
            }
            for number in sim.config.numbers
        ]
    }


@get("/_sim/webhooks")
async def webhooks(sim: SimulatorDep) -> dict[str, Any]:
    """Every webhook body sent and the HTTP status of each attempt (None: no answer)."""
    return {"webhooks": [w.to_dict() for w in sim.store.webhooks]}


@get("/_sim/faults")
async def list_faults(sim: SimulatorDep) -> dict[str, Any]:
    return {"faults": [f.to_dict() for f in sim.store.faults]}


@post("/_sim/faults", status_code=200)
async def add_fault(request: Request[Any, Any, Any], sim: SimulatorDep) -> Response[Any]:
    """Arm a fault for the next `count` sends; faults queue up in the order given."""
    try:
        fault = FaultRequest.parse(await read_json(request)).to_fault()
    except ValueError as exc:
        return bad(str(exc))
    sim.store.faults.append(fault)
    return Response({"faults": [f.to_dict() for f in sim.store.faults]})


@delete("/_sim/faults", status_code=200)
async def clear_faults(sim: SimulatorDep) -> dict[str, Any]:
    sim.store.faults.clear()
    return {"faults": []}


handlers = [inbound, raw, status, messages, webhooks, list_faults, add_fault, clear_faults]

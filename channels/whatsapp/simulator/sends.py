"""What the simulated Cloud API accepts beyond text: templates, uploaded media, read marks.

- Messages: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
- Upload: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#upload-media
- Mark as read: https://developers.facebook.com/docs/whatsapp/cloud-api/guides/mark-message-as-read
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response
from litestar.datastructures import UploadFile

from channels.whatsapp.simulator import graph
from channels.whatsapp.simulator.config import SimNumber
from channels.whatsapp.simulator.graph import new_numeric_id
from channels.whatsapp.simulator.runtime import Simulator
from channels.whatsapp.simulator.sim_templates import TemplateSendError, check_send
from channels.whatsapp.simulator.store import SimMedia

MB = 1024 * 1024
# https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types
UPLOAD_TYPES: dict[str, tuple[str, int]] = {
    "image/jpeg": ("image", 5 * MB),
    "image/png": ("image", 5 * MB),
    "application/pdf": ("document", 100 * MB),
    "text/plain": ("document", 100 * MB),
    "application/msword": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "document",
        100 * MB,
    ),
    "application/vnd.ms-excel": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", 100 * MB),
}
MAX_CAPTION = 1024


class SendRefused(ValueError):
    def __init__(self, code: int, title: str, details: str) -> None:
        super().__init__(details)
        self.code, self.title, self.details = code, title, details

    def response(self) -> Response[Any]:
        return graph.error_response(
            400, self.code, f"(#{self.code}) {self.title}", details=self.details
        )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A checked send: what the citizen's phone shows."""

    kind: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)
    media_id: str | None = None


def outgoing(sim: Simulator, number: SimNumber, params: graph.Params) -> Outgoing:
    """Check a non-text send as Meta would; raise SendRefused with Meta's code."""
    kind = params.get("type")
    if kind == "template":
        try:
            template, values = check_send(sim.store.templates, params.get("template"))
        except TemplateSendError as exc:
            raise SendRefused(exc.code, exc.title, exc.details) from None
        details = {"template": template.name, "language": template.language, "parameters": values}
        return Outgoing("template", template.fill(values), details)
    content = params.get(kind) if isinstance(kind, str) else None
    if not isinstance(content, dict):
        raise SendRefused(100, "Invalid parameter", f"The parameter {kind} is required.")
    media_id = str(content.get("id") or "")
    media = sim.store.media.get(media_id)
    if media is None or media.phone_number_id != number.phone_number_id:
        raise SendRefused(131053, "Media upload error", f"Media id {media_id!r} is not valid.")
    expected = UPLOAD_TYPES.get(media.mime_type, ("", 0))[0]
    if expected != kind:
        raise SendRefused(
            131053,
            "Media upload error",
            f"Media of type {media.mime_type} cannot be sent as {kind}.",
        )
    caption = content.get("caption")
    if caption is not None and (not isinstance(caption, str) or len(caption) > MAX_CAPTION):
        raise SendRefused(100, "Invalid parameter", f"Param {kind}['caption'] is too long.")
    filename = content.get("filename") if kind == "document" else None
    details = {"mime_type": media.mime_type, "filename": filename or media.filename}
    return Outgoing(kind, caption or "", details, media.id)


def mark_read(sim: Simulator, number: SimNumber, params: graph.Params) -> Response[Any]:
    message_id = str(params.get("message_id") or "")
    record = sim.store.message(message_id)
    if (
        record is None
        or record.direction != "inbound"
        or record.phone_number_id != number.phone_number_id
    ):
        return graph.error_response(
            400, 100, "(#100) Invalid parameter", details=f"Unknown message_id {message_id!r}"
        )
    record.details["read_by_business"] = True
    sim.store.read_marks.append(message_id)
    return graph.ok({"success": True})


async def upload(
    sim: Simulator, request: Request[Any, Any, Any], number: SimNumber
) -> Response[Any]:
    """`POST /{phone_number_id}/media`, multipart with `file`, `type`, `messaging_product`."""
    try:
        form = await request.form()
    except Exception:
        return graph.error_response(400, 100, "(#100) Invalid parameter", details="Bad form")
    if form.get("messaging_product") != "whatsapp":
        return graph.error_response(
            400, 100, "(#100) Invalid parameter", details="messaging_product must be whatsapp"
        )
    file = form.get("file")
    if not isinstance(file, UploadFile):
        return graph.error_response(
            400, 100, "(#100) Invalid parameter", details="The parameter file is required."
        )
    content = await file.read()
    mime_type = str(form.get("type") or file.content_type or "").split(";")[0].strip()
    rule = UPLOAD_TYPES.get(mime_type)
    if rule is None:
        return SendRefused(
            131053, "Media upload error", f"Unsupported media type {mime_type or 'none'}."
        ).response()
    if not content or len(content) > rule[1]:
        return SendRefused(
            131053, "Media upload error", f"Media file size {len(content)} is not allowed."
        ).response()
    media = SimMedia(
        id=new_numeric_id(),
        phone_number_id=number.phone_number_id,
        content=content,
        mime_type=mime_type,
        sha256=hashlib.sha256(content).hexdigest(),
        filename=file.filename or None,
    )
    sim.store.media[media.id] = media
    return graph.ok({"id": media.id})

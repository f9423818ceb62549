"""What a reply becomes on WhatsApp: the media rules and the typed `messages` objects (pure).

- Supported media: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types
- Template object: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages#template-object
"""

from __future__ import annotations

from typing import Any

from channels.base import ContentKind, MediaRule, OutboundMedia, OutboundTemplate

MB = 1024 * 1024
MEDIA_RULES = (
    MediaRule(ContentKind.image, frozenset({"image/jpeg", "image/png"}), 5 * MB),
    MediaRule(
        ContentKind.document,
        frozenset(
            {
                "application/pdf",
                "text/plain",
                "application/msword",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            }
        ),
        100 * MB,
    ),
)
MAX_CAPTION = 1024
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "text/plain": "txt",
}


def template_content(template: OutboundTemplate) -> dict[str, Any]:
    content: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.parameters:
        content["components"] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": value} for value in template.parameters],
            }
        ]
    return content


def media_content(
    media: OutboundMedia, media_id: str, filename: str, caption: str
) -> tuple[str, dict[str, Any]]:
    kind = "image" if media.kind == ContentKind.image else "document"
    content: dict[str, Any] = {"id": media_id}
    if caption:
        content["caption"] = caption[:MAX_CAPTION]
    if kind == "document":
        content["filename"] = filename
    return kind, content


def default_filename(media: OutboundMedia) -> str:
    return f"lampiran.{_EXTENSIONS.get(media.mime_type, 'bin')}"

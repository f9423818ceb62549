"""Message templates in the simulator: a few an Indonesian Dukcapil office would have approved
(and one rejected, one paused), listed and checked on send as Meta does.

- Listing: https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates/
- Sending: https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
- Errors 132000/132001/132015/132016:
  https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
MAX_PARAMETER_CHARS = 32768 // 32  # far below Meta's limit; a form value, not a document
_PARAM_NOT_ALLOWED = re.compile(r"[\n\t]| {5,}")


@dataclass(slots=True)
class SimTemplate:
    name: str
    language: str
    category: str
    status: str
    body: str
    header: str = ""
    footer: str = ""
    buttons: list[str] = field(default_factory=list)  # quick replies
    id: str = ""

    @property
    def parameter_count(self) -> int:
        return len({m.group(1) for m in PLACEHOLDER.finditer(self.body)})

    def graph_object(self) -> dict[str, Any]:
        components: list[dict[str, Any]] = []
        if self.header:
            components.append({"type": "HEADER", "format": "TEXT", "text": self.header})
        body: dict[str, Any] = {"type": "BODY", "text": self.body}
        if self.parameter_count:
            examples = [f"contoh {i}" for i in range(1, self.parameter_count + 1)]
            body["example"] = {"body_text": [examples]}
        components.append(body)
        if self.footer:
            components.append({"type": "FOOTER", "text": self.footer})
        if self.buttons:
            components.append(
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "QUICK_REPLY", "text": b} for b in self.buttons],
                }
            )
        return {
            "name": self.name,
            "parameter_format": "POSITIONAL",
            "components": components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
        }

    def fill(self, values: list[str]) -> str:
        body = PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], self.body)
        return "\n\n".join(part for part in (self.header, body, self.footer) if part)


def default_templates() -> list[SimTemplate]:
    return [
        SimTemplate(
            "tindak_lanjut_pengaduan",
            "id",
            "UTILITY",
            "APPROVED",
            "Yth. {{1}}, pengaduan Anda dengan nomor register {{2}} sedang kami tindak lanjuti. "
            "Balas pesan ini bila ada keterangan tambahan.",
            header="Dinas Dukcapil",
            footer="Layanan Pengaduan Dukcapil",
            id="1402846710293811",
        ),
        SimTemplate(
            "dokumen_siap_diambil",
            "id",
            "UTILITY",
            "APPROVED",
            "Yth. {{1}}, dokumen {{2}} Anda sudah selesai dan dapat diambil di {{3}} pada jam "
            "kerja dengan membawa tanda terima.",
            id="1402846710293812",
        ),
        SimTemplate(
            "permintaan_kelengkapan_berkas",
            "id",
            "UTILITY",
            "APPROVED",
            "Yth. {{1}}, untuk melanjutkan pengaduan {{2}} mohon kirimkan foto {{3}} melalui "
            "percakapan ini.",
            buttons=["Baik, saya kirim", "Saya datang ke kantor"],
            id="1402846710293813",
        ),
        SimTemplate(
            "pengaduan_selesai",
            "id",
            "UTILITY",
            "APPROVED",
            "Terima kasih telah menghubungi layanan pengaduan Dinas Dukcapil. Pengaduan Anda "
            "telah kami nyatakan selesai. Balas pesan ini bila masih ada kendala.",
            id="1402846710293814",
        ),
        SimTemplate(
            "complaint_update",
            "en",
            "UTILITY",
            "APPROVED",
            "Dear {{1}}, we are following up your complaint {{2}}. Reply to this message to add "
            "anything.",
            id="1402846710293815",
        ),
        SimTemplate(
            "promo_jemput_bola_ktp",
            "id",
            "MARKETING",
            "REJECTED",
            "Ayo rekam KTP-el di layanan jemput bola {{1}}! Gratis dan cepat.",
            id="1402846710293816",
        ),
        SimTemplate(
            "pengingat_perekaman_ktp",
            "id",
            "UTILITY",
            "PAUSED",
            "Yth. {{1}}, jangan lupa jadwal perekaman KTP-el Anda pada {{2}}.",
            id="1402846710293817",
        ),
    ]


class TemplateSendError(ValueError):
    def __init__(self, code: int, title: str, details: str) -> None:
        super().__init__(details)
        self.code, self.title, self.details = code, title, details


def check_send(templates: list[SimTemplate], template: Any) -> tuple[SimTemplate, list[str]]:
    """The template a `type: template` send names and its body values, or Meta's refusal."""
    if not isinstance(template, dict) or not isinstance(template.get("name"), str):
        raise TemplateSendError(
            100, "Invalid parameter", "The parameter template['name'] is required."
        )
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str) or not code:
        raise TemplateSendError(
            100, "Invalid parameter", "The parameter template['language']['code'] is required."
        )
    name = template["name"]
    found = next((t for t in templates if t.name == name and t.language == code), None)
    if found is not None and found.status == "PAUSED":
        raise TemplateSendError(132015, "Template is Paused", f"Template {name} is paused.")
    if found is not None and found.status == "DISABLED":
        raise TemplateSendError(132016, "Template is Disabled", f"Template {name} is disabled.")
    if found is None or found.status != "APPROVED":
        raise TemplateSendError(
            132001,
            "Template name does not exist in the translation",
            f"template name ({name}) does not exist in {code}",
        )
    values = _body_values(template.get("components"))
    if len(values) != found.parameter_count:
        raise TemplateSendError(
            132000,
            "Number of parameters does not match the expected number of params",
            f"body: number of localizable_params ({len(values)}) does not match the expected "
            f"number of params ({found.parameter_count})",
        )
    for value in values:
        if not value.strip() or _PARAM_NOT_ALLOWED.search(value):
            raise TemplateSendError(
                132018,
                "There was an issue with the parameters in your template.",
                "Param text cannot be empty, have new-line/tab characters or more than 4 "
                "consecutive spaces.",
            )
    return found, values


def _body_values(components: Any) -> list[str]:
    values: list[str] = []
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, dict) or str(component.get("type")).lower() != "body":
            continue
        for parameter in component.get("parameters") or []:
            if isinstance(parameter, dict) and parameter.get("type") == "text":
                values.append(str(parameter.get("text") or ""))
            else:
                raise TemplateSendError(
                    132012,
                    "Parameter format mismatch",
                    "Body parameters must be of type text.",
                )
    return values


def page(templates: list[SimTemplate], limit: int, after: str | None) -> dict[str, Any]:
    """One page of the listing with Graph's cursor paging."""
    start = _decode_cursor(after)
    chosen = templates[start : start + limit]
    body: dict[str, Any] = {"data": [t.graph_object() for t in chosen]}
    end = start + len(chosen)
    if chosen:
        cursors = {"before": _encode_cursor(start), "after": _encode_cursor(end)}
        body["paging"] = {"cursors": cursors}
        if end < len(templates):
            body["paging"]["next"] = f"?after={cursors['after']}&limit={limit}"
    return body


def _encode_cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"idx:{index}".encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        return max(0, int(text.removeprefix("idx:")))
    except (ValueError, UnicodeDecodeError):
        return 0

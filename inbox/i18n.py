"""Bahasa Indonesia by default, English on request: texts, labels and local times for templates.

The language of a request comes from the `lang` cookie (set by `POST /lang`), else the signed-in
user's `language`, else "id". Handlers put it in the template context as `lang`; `_()` reads it
there and falls back to a context variable, so code outside templates can translate too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup, escape

from inbox.capabilities import channel_can
from inbox.messages import CATALOGUE

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANG_COOKIE = "lang"
# What every office's full name starts with; lists and menus show the rest.
OFFICE_PREFIX = "Dinas Kependudukan dan Pencatatan Sipil "

_current: ContextVar[str] = ContextVar("inbox_language", default=DEFAULT_LANGUAGE)

MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
# Indonesia's three zones by their usual names; any other zone shows its UTC offset.
ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

# Codes of failed replies (channels' `ChannelError.code`, Meta Graph error codes) -> catalogue key.
# https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
ERROR_KEYS = {
    # issue 3: templates and media (Meta's 132xxx template codes, 131053 media upload)
    "132000": "error.template_params",
    "132001": "error.template_missing",
    "132015": "error.template_paused",
    "132016": "error.template_paused",
    "132012": "error.template_values",
    "132018": "error.template_values",
    "131053": "error.media_refused",
    "attachment_missing": "error.media_refused",
    "window_closed": "error.window_closed",
    "first_contact_template": "error.first_contact_template",
    "messaging_window_closed": "error.messaging_window",
    "131047": "error.window_closed",
    "470": "error.window_closed",
    "190": "error.token",
    "102": "error.token",
    "463": "error.token",
    "467": "error.token",
    "http_401": "error.token",
    "10": "error.permission",
    "200": "error.permission",
    "http_403": "error.permission",
    "4": "error.rate_limit",
    "80007": "error.rate_limit",
    "130429": "error.rate_limit",
    "131048": "error.rate_limit",
    "131056": "error.rate_limit",
    "429": "error.rate_limit",
    "http_429": "error.rate_limit",
    "1": "error.unreachable",
    "2": "error.unreachable",
    "131000": "error.unreachable",
    "131016": "error.unreachable",
    "timeout": "error.unreachable",
    "connection": "error.unreachable",
    "request": "error.unreachable",
    "131026": "error.undeliverable",
    "131049": "error.ecosystem",
    "131030": "error.not_allowed_recipient",
    "131031": "error.account_blocked",
    "368": "error.account_blocked",
    "no_recipient": "error.no_recipient",
    "no_adapter": "error.no_adapter",
}


def normalise(lang: str | None) -> str | None:
    """The language if we have it ("en-US" counts as "en"), else None."""
    if not lang:
        return None
    base = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else None


def choose_language(cookie: str | None, user_language: str | None = None) -> str:
    return normalise(cookie) or normalise(user_language) or DEFAULT_LANGUAGE


def activate(lang: str) -> str:
    lang = normalise(lang) or DEFAULT_LANGUAGE
    _current.set(lang)
    return lang


def current_language() -> str:
    return _current.get()


def translate(key: str, lang: str | None = None, /, **params: Any) -> str:
    entry = CATALOGUE.get(key)
    if entry is None:
        return key  # visible in the page, and caught by the catalogue test
    text = entry.get(lang or current_language()) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def _lang_of(ctx: Context | Mapping[str, Any] | None) -> str:
    lang = ctx.get("lang") if ctx is not None else None
    return normalise(lang) or current_language()


def _label(prefix: str, value: Any, lang: str) -> str:
    value = "" if value is None else str(value)
    key = f"{prefix}.{value}"
    return translate(key, lang) if key in CATALOGUE else value


def status_label(value: Any, lang: str | None = None) -> str:
    return _label("status", value, lang or current_language())


def message_status_label(value: Any, lang: str | None = None) -> str:
    return _label("mstatus", value, lang or current_language())


def channel_label(value: Any, lang: str | None = None) -> str:
    return _label("channel", value, lang or current_language())


def kind_label(value: Any, lang: str | None = None) -> str:
    return _label("kind", value, lang or current_language())


_CODE_IN_TEXT = re.compile(r"^\[([^\]]{1,40})\]\s*")


def explain_error(code: str | None, error: str | None, lang: str | None = None) -> str:
    """An explanation for a known error code, else the raw error text the platform gave."""
    lang = lang or current_language()
    if not code and error and (found := _CODE_IN_TEXT.match(error)):
        code = found.group(1)
    key = ERROR_KEYS.get((code or "").strip())
    if key is None and code and code.isdigit() and 200 <= int(code) < 300:
        key = "error.permission"  # Meta's 2xx codes are all permission errors
    if key is not None:
        return translate(key, lang)
    return error or code or translate("error.unknown", lang)


@lru_cache(maxsize=64)
def _zone(name: str) -> tuple[ZoneInfo | None, str]:
    try:
        return ZoneInfo(name), ZONE_NAMES.get(name, "")
    except (ZoneInfoNotFoundError, ValueError):
        return None, "UTC"


def zone_of(where: Any) -> str:
    """A time zone name from a string, an office, or anything with an `office` (a ticket)."""
    if isinstance(where, str):
        return where
    office = getattr(where, "office", None)
    if office is not None and getattr(office, "timezone", None):
        return office.timezone
    return getattr(where, "timezone", None) or "Asia/Jakarta"


def format_datetime(
    value: datetime | None, where: Any = "Asia/Jakarta", lang: str | None = None
) -> str:
    """ "27 Nov 2026 14.05 WIB" in the office's time zone (English: "27 Nov 2026 14:05 WIB")."""
    if value is None:
        return ""
    lang = normalise(lang) or current_language()
    zone, suffix = _zone(zone_of(where))
    local = value.astimezone(zone) if zone is not None else value
    if not suffix:
        offset = local.utcoffset()
        hours = (offset.total_seconds() / 3600) if offset is not None else 0
        suffix = f"UTC{hours:+g}" if hours else "UTC"
    separator = "." if lang == "id" else ":"
    month = MONTHS[lang][local.month - 1]
    # Not `{local:%H}`: strftime costs several times the rest, and a list shows a hundred.
    return (
        f"{local.day} {month} {local.year} {local.hour:02d}{separator}{local.minute:02d} {suffix}"
    )


def install(engine: JinjaTemplateEngine) -> None:
    """The `engine_callback` of the app's TemplateConfig: globals and filters for templates."""
    env = engine.engine

    @pass_context
    def _(ctx: Context, key: str, **params: Any) -> Markup:
        # The catalogue text is escaped, then each parameter unless it is already markup (a
        # macro's output): user data in a parameter is escaped exactly once.
        text = escape(translate(key, _lang_of(ctx)))
        return text.format(**params) if params else text  # (format() costs: skip it if unused)

    def _contextual(func: Any) -> Any:
        @pass_context
        def wrapper(ctx: Context, value: Any, *args: Any) -> str:
            return func(value, *args, lang=_lang_of(ctx))

        return wrapper

    env.globals["_"] = _
    env.globals["t"] = _
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["OFFICE_PREFIX"] = OFFICE_PREFIX
    env.filters["status_label"] = _contextual(status_label)
    env.filters["message_status_label"] = _contextual(message_status_label)
    env.filters["channel_label"] = _contextual(channel_label)
    env.filters["kind_label"] = _contextual(kind_label)
    env.filters["localtime"] = _contextual(format_datetime)

    @pass_context
    def explain(ctx: Context, message: Any) -> str:
        return explain_error(message.error_code, message.error, _lang_of(ctx))

    env.filters["explain_error"] = explain

    # NIK/KK masking and reveal helpers; LAPOR views (both import this module, hence here).
    from inbox import contact_views, lapor_views

    contact_views.install(env)
    lapor_views.install(env)  # confidential content, LAPOR facts and clocks
    env.filters["channel_can"] = channel_can  # which reply controls a channel gets (issue 3)

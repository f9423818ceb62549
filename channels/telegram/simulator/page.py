"""A small page for the demo: be a citizen writing to an office's bot, or a member of its admin
group answering in a consultation's topic (or replying to a message), and see what the bots
sent. Plain forms, no script; everything shown is escaped."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qs, quote

from litestar import MediaType, Request, Response, get, post
from litestar.response import Redirect

from channels.telegram.simulator.control import (
    ControlError,
    deliver,
    group_message,
    private_message,
)
from channels.telegram.simulator.store import SimStore, TelegramSimConfig

STYLE = (
    "body{font:15px/1.4 system-ui,sans-serif;margin:1rem auto;max-width:70rem;padding:0 1rem}"
    "section{border:1px solid #bbb;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}"
    ".m{margin:.2rem 0;padding:.3rem .5rem;border-radius:4px;background:#eef}"
    ".t{white-space:pre-wrap}.bot{background:#efe}.meta{color:#444;font-size:.85em}"
    "label{display:block;margin:.3rem 0}"
    "textarea{width:100%}"
)


def _message(m: dict[str, Any]) -> str:
    sender = m["from"].get("first_name", "?")
    cls = "m bot" if m["from"].get("is_bot") else "m"
    text = m.get("text") or m.get("caption") or ""
    if "photo" in m:
        text = "[foto] " + text
    if "document" in m:
        text = f"[dokumen {m['document'].get('file_name', '')}] " + text
    if "forum_topic_created" in m:
        text = f"[topik dibuat: {m['forum_topic_created']['name']}]"
    meta = f"#{m['message_id']}"
    if m.get("message_thread_id"):
        meta += f" · topik {m['message_thread_id']}"
    if m.get("reply_to_message") and m["reply_to_message"]["message_id"] != m.get(
        "message_thread_id"
    ):
        meta += f" · membalas #{m['reply_to_message']['message_id']}"
    return (
        f'<div class="{cls}"><span class="meta">{escape(meta)} · {escape(sender)}</span>'
        f'<br><span class="t">{escape(text)}</span></div>'
    )


def render(store: SimStore, config: TelegramSimConfig, notice: str = "") -> str:
    p = escape(config.prefix)
    parts = [
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>",
        "<title>Simulator Telegram</title>",
        f"<style>{STYLE}</style></head><body><h1>Simulator Telegram Bot API</h1>",
    ]
    if notice:
        parts.append(f"<p role='status'><strong>{escape(notice)}</strong></p>")
    with store.lock:
        bots = list(store.bots.values())
        groups = list(store.groups.values())
    for bot in bots:
        parts.append(
            f"<section><h2>Bot @{escape(bot.username)} ({escape(bot.name)})</h2>"
            f"<p class='meta'>webhook: {escape(bot.webhook_url or 'belum diatur (setWebhook)')}</p>"
            "<h3>Sebagai warga (chat pribadi)</h3>"
            f"<form method='post' action='{p}/_sim/page/private'>"
            f"<input type='hidden' name='bot_id' value='{bot.id}'>"
            "<label>ID Telegram warga "
            "<input name='user_id' value='5550001' inputmode='numeric'></label>"
            "<label>Nama <input name='first_name' value='Siti'></label>"
            "<label>Pesan <textarea name='text' rows='2'></textarea></label>"
            "<label><input type='checkbox' name='photo' value='1'> "
            "kirim sebagai foto (pesan jadi keterangan)</label>"
            "<button>Kirim ke bot</button></form>"
        )
        for chat_id in store.private_chats(bot.token):
            parts.append(f"<h4>Chat dengan {chat_id}</h4>")
            parts += [
                _message(m) for m in store.chat_messages(chat_id) if m.get("_bot") == bot.token
            ]
        for group in (g for g in groups if bot.token in g.bot_tokens):
            topics = store.topics.get(group.id, {})
            options = "".join(
                f"<option value='{t}'>{escape(name)}</option>" for t, name in topics.items()
            )
            parts.append(
                f"<h3>Grup admin: {escape(group.title)} ({group.id}, "
                f"{'forum' if group.is_forum else 'grup biasa'})</h3>"
                f"<form method='post' action='{p}/_sim/page/group'>"
                f"<input type='hidden' name='bot_id' value='{bot.id}'>"
                f"<input type='hidden' name='chat_id' value='{group.id}'>"
                "<label>ID Telegram anggota "
                "<input name='user_id' value='7770001' inputmode='numeric'></label>"
                "<label>Nama <input name='first_name' value='Group Admin'></label>"
                "<label>Topik <select name='thread_id'>"
                f"<option value=''>(tanpa topik)</option>{options}</select></label>"
                "<label>Balas pesan # <input name='reply_to' inputmode='numeric' size='6'></label>"
                "<label>Pesan (mis. /link KODE secara pribadi; /jawab teks; /status NOMOR) "
                "<textarea name='text' rows='2'></textarea></label>"
                "<button>Kirim di grup</button></form>"
            )
            parts += [_message(m) for m in store.chat_messages(group.id)]
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def routes(prefix: str) -> list[Any]:
    def state(request: Request[Any, Any, Any]) -> tuple[SimStore, TelegramSimConfig]:
        return request.app.state.telegram_store, request.app.state.telegram_config

    @get([f"{prefix}/", prefix or "/"] if prefix else "/", media_type=MediaType.HTML)
    async def index(request: Request[Any, Any, Any], notice: str = "") -> str:
        store, config = state(request)
        return render(store, config, notice)

    async def _form(request: Request[Any, Any, Any], make: Any) -> Response[Any]:
        store, config = state(request)
        raw = (await request.body()).decode("utf-8", "replace")
        data: dict[str, Any] = {k: v[-1] for k, v in parse_qs(raw).items()}
        if data.get("photo"):
            data["caption"], data["photo"] = data.pop("text", ""), True
        for key in ("thread_id", "reply_to"):
            if not str(data.get(key) or "").strip():
                data.pop(key, None)
        try:
            bot, message = make(store, data)
        except (ControlError, ValueError) as exc:
            return Redirect(f"{prefix}/?notice=" + quote(str(exc)))
        update = {"update_id": store.next_update_id(), "message": message}
        record = await deliver(store, config, bot, update)
        notice = f"update {update['update_id']} terkirim: HTTP {record.status or record.error}"
        return Redirect(f"{prefix}/?notice=" + quote(notice))

    @post(f"{prefix}/_sim/page/private")
    async def page_private(request: Request[Any, Any, Any]) -> Response[Any]:
        return await _form(request, private_message)

    @post(f"{prefix}/_sim/page/group")
    async def page_group(request: Request[Any, Any, Any]) -> Response[Any]:
        return await _form(request, group_message)

    return [index, page_private, page_group]

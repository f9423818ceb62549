"""Playing the people: a citizen writing to a bot, a member writing in the admin group; the
updates they make are delivered to the bot's webhook with its secret token, as Telegram does
(https://core.telegram.org/bots/api#setwebhook). Also the failure switches.

- `POST {prefix}/_sim/private` `{"bot_id", "user_id", "first_name", "text"?, "caption"?,
  "photo"?: bool, "document"?: {"name", "mime", "content_b64"}}`
- `POST {prefix}/_sim/group` `{"bot_id", "chat_id", "user_id", "first_name", "text",
  "thread_id"?, "reply_to"?}`
- `POST {prefix}/_sim/faults` `{"method": "sendMessage" | "*", "status": 429|500|502|401,
  "count": n, "retry_after": s}`; `DELETE {prefix}/_sim/faults`
- `POST {prefix}/_sim/redeliver` `{"update_id"}`: send an update again (a duplicate)
- `GET {prefix}/_sim/state`: chats, messages, topics, deliveries
Each write answers `{"update": …, "delivered": status|null}`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import Any

import httpx
from litestar import Request, Response, delete, get, post

from channels.telegram.simulator.store import Delivery, Fault, SimBot, SimStore, TelegramSimConfig

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_FILE = 20 * 1024 * 1024
# A 1x1 JPEG: what a "photo" from the page carries.
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB"
    "PxA="
)


class ControlError(Exception):
    pass


async def deliver(
    store: SimStore, config: TelegramSimConfig, bot: SimBot, update: dict[str, Any]
) -> Delivery:
    """POST the update to the bot's webhook, retrying a few times like Telegram."""
    record = Delivery(bot.id, update, None)
    if not bot.webhook_url:
        record.error = "no webhook set"
    else:
        headers = {"content-type": "application/json"}
        if bot.secret_token:
            headers[SECRET_HEADER] = bot.secret_token
        body = json.dumps(update).encode()
        async with httpx.AsyncClient(timeout=30) as client:
            for attempt in range(config.delivery_tries):
                try:
                    response = await client.post(bot.webhook_url, content=body, headers=headers)
                    record.status, record.error = response.status_code, ""
                    if response.status_code < 500 and response.status_code != 429:
                        break
                except httpx.HTTPError as exc:
                    record.status, record.error = None, f"{type(exc).__name__}: {exc}"
                await asyncio.sleep(config.delivery_backoff_seconds * (attempt + 1))
    with store.lock:
        store.deliveries.append(record)
    return record


def _bot(store: SimStore, data: dict[str, Any]) -> SimBot:
    bot = store.bot_by_id(str(data.get("bot_id") or ""))
    if bot is None:
        raise ControlError("unknown bot_id")
    return bot


def _user(data: dict[str, Any]) -> dict[str, Any]:
    try:
        user_id = int(data.get("user_id") or 0)
    except (TypeError, ValueError) as exc:
        raise ControlError("user_id must be a number") from exc
    if user_id <= 0:
        raise ControlError("user_id must be a positive number")
    name = str(data.get("first_name") or "Warga").strip()[:64] or "Warga"
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
    if data.get("last_name"):
        user["last_name"] = str(data["last_name"])[:64]
    return user


def private_message(store: SimStore, data: dict[str, Any]) -> tuple[SimBot, dict[str, Any]]:
    bot = _bot(store, data)
    user = _user(data)
    extra: dict[str, Any] = {}
    text = data.get("text")
    if data.get("photo"):
        file_id = store.add_file(TINY_JPEG, "image/jpeg", "photo.jpg")
        extra["photo"] = [
            {
                "file_id": file_id,
                "file_unique_id": file_id.lower(),
                "width": 1,
                "height": 1,
                "file_size": len(TINY_JPEG),
            }
        ]
        text = None
    document = data.get("document")
    if isinstance(document, dict):
        try:
            content = base64.b64decode(str(document.get("content_b64") or ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ControlError("document.content_b64 is not base64") from exc
        if len(content) > MAX_FILE:
            raise ControlError("document too large")
        name = str(document.get("name") or "dokumen.pdf")[:100]
        mime = str(document.get("mime") or "application/pdf")[:100]
        file_id = store.add_file(content, mime, name)
        extra["document"] = {
            "file_id": file_id,
            "file_unique_id": file_id.lower(),
            "file_name": name,
            "mime_type": mime,
            "file_size": len(content),
        }
        text = None
    if extra and data.get("caption"):
        extra["caption"] = str(data["caption"])
    if not extra and not str(text or "").strip():
        raise ControlError("text is empty")
    message = store.add_message(
        user["id"],
        user,
        text=str(text) if text is not None else None,
        extra=extra,
        bot_token=bot.token,
    )
    return bot, message


def group_message(store: SimStore, data: dict[str, Any]) -> tuple[SimBot, dict[str, Any]]:
    bot = _bot(store, data)
    user = _user(data)
    try:
        chat_id = int(data.get("chat_id") or 0)
    except (TypeError, ValueError) as exc:
        raise ControlError("chat_id must be a number") from exc
    group = store.groups.get(chat_id)
    if group is None:
        raise ControlError("unknown group chat_id")
    text = str(data.get("text") or "")
    if not text.strip():
        raise ControlError("text is empty")
    thread_id = int(data["thread_id"]) if data.get("thread_id") else None
    reply_to = int(data["reply_to"]) if data.get("reply_to") else None
    if thread_id is not None and thread_id not in store.topics.get(chat_id, {}):
        raise ControlError("unknown thread_id")
    message = store.add_message(
        chat_id, user, text=text, thread_id=thread_id, reply_to=reply_to, bot_token=bot.token
    )
    return bot, message


def routes(prefix: str) -> list[Any]:
    def state(request: Request[Any, Any, Any]) -> tuple[SimStore, TelegramSimConfig]:
        return request.app.state.telegram_store, request.app.state.telegram_config

    async def _write(request: Request[Any, Any, Any], make: Any) -> Response[Any]:
        store, config = state(request)
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ControlError("a JSON object is expected")
            bot, message = make(store, data)
        except (ControlError, ValueError) as exc:
            return Response({"error": str(exc)}, status_code=400)
        update = {"update_id": store.next_update_id(), "message": message}
        record = await deliver(store, config, bot, update)
        return Response({"update": update, "delivered": record.status, "error": record.error})

    @post(f"{prefix}/_sim/private", status_code=200)
    async def write_private(request: Request[Any, Any, Any]) -> Response[Any]:
        return await _write(request, private_message)

    @post(f"{prefix}/_sim/group", status_code=200)
    async def write_group(request: Request[Any, Any, Any]) -> Response[Any]:
        return await _write(request, group_message)

    @post(f"{prefix}/_sim/redeliver", status_code=200)
    async def redeliver(request: Request[Any, Any, Any]) -> Response[Any]:
        store, config = state(request)
        data = await request.json()
        wanted = int((data or {}).get("update_id") or 0)
        found = next((d for d in store.deliveries if d.update["update_id"] == wanted), None)
        if found is None:
            return Response({"error": "unknown update_id"}, status_code=404)
        bot = store.bot_by_id(found.bot_id)
        assert bot is not None
        record = await deliver(store, config, bot, found.update)
        return Response({"update": found.update, "delivered": record.status})

    @post(f"{prefix}/_sim/faults", status_code=200)
    async def set_fault(request: Request[Any, Any, Any]) -> dict[str, Any]:
        store, _ = state(request)
        data = await request.json()
        fault = Fault(
            method=str(data.get("method") or "*"),
            status=int(data.get("status") or 500),
            remaining=int(data.get("count") if data.get("count") is not None else 1),
            retry_after=int(data.get("retry_after") or 1),
        )
        store.set_fault(fault)
        return {"ok": True}

    @delete(f"{prefix}/_sim/faults", status_code=200)
    async def clear_faults(request: Request[Any, Any, Any]) -> dict[str, Any]:
        store, _ = state(request)
        store.clear_faults()
        return {"ok": True}

    @get(f"{prefix}/_sim/state")
    async def read_state(request: Request[Any, Any, Any]) -> dict[str, Any]:
        store, _ = state(request)
        with store.lock:
            return {
                "messages": [{k: v for k, v in m.items() if k != "_bot"} for m in store.messages],
                "topics": {str(k): v for k, v in store.topics.items()},
                "deliveries": [
                    {"bot_id": d.bot_id, "update_id": d.update["update_id"], "status": d.status}
                    for d in store.deliveries
                ],
                "webhooks": {str(b.id): b.webhook_url for b in store.bots.values()},
            }

    return [write_private, write_group, redeliver, set_fault, clear_faults, read_state]

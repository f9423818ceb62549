"""The Bot API methods the helpdesk uses, as Telegram answers them.

`POST|GET {prefix}/bot<token>/<method>` with form-encoded (or JSON) parameters, non-string values
JSON-encoded; answers `{"ok": true, "result": …}` or `{"ok": false, "error_code", "description",
"parameters"}`. Files: `GET {prefix}/file/bot<token>/<file_path>`.
https://core.telegram.org/bots/api#making-requests
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from litestar import Request, Response, route
from litestar.status_codes import HTTP_200_OK

from channels.telegram.simulator.store import SimBot, SimStore

MAX_TEXT = 4096
GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def _answer(result: Any) -> Response[Any]:
    return Response({"ok": True, "result": result}, status_code=HTTP_200_OK)


def _error(exc: ApiError) -> Response[Any]:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return Response(body, status_code=exc.code)


async def _params(request: Request[Any, Any, Any]) -> dict[str, Any]:
    raw = await request.body()
    if request.method == "GET":
        values = {k: v[-1] for k, v in parse_qs(request.url.query or "").items()}
    elif (request.headers.get("content-type") or "").startswith("application/json"):
        data = json.loads(raw or b"{}")
        return data if isinstance(data, dict) else {}
    else:
        values = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    out: dict[str, Any] = {}
    for key, value in values.items():
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _int(params: dict[str, Any], name: str, required: bool = True) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"Bad Request: {name} is invalid") from exc


def _chat_id(store: SimStore, bot: SimBot, params: dict[str, Any]) -> int:
    chat_id = _int(params, "chat_id")
    assert chat_id is not None
    group = store.groups.get(chat_id)
    if group is not None:
        if bot.token not in group.bot_tokens:
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        return chat_id
    if chat_id < 0:
        raise ApiError(400, "Bad Request: chat not found")
    if chat_id not in store.private_chats(bot.token):
        raise ApiError(400, "Bad Request: chat not found")  # the user never wrote to the bot
    return chat_id


def get_me(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    return {**bot.user(), "can_join_groups": True, "supports_inline_queries": False}


def send_message(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    chat_id = _chat_id(store, bot, params)
    text = str(params.get("text") or "")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    thread_id = _int(params, "message_thread_id", required=False)
    if thread_id is not None and thread_id not in store.topics.get(chat_id, {}):
        raise ApiError(400, "Bad Request: message thread not found")
    reply = params.get("reply_parameters")
    reply_to = None
    if isinstance(reply, dict) and reply.get("message_id"):
        reply_to = int(reply["message_id"])
        if store.find_message(chat_id, reply_to) is None and not reply.get(
            "allow_sending_without_reply"
        ):
            raise ApiError(400, "Bad Request: message to be replied not found")
    return store.add_message(
        chat_id, bot.user(), text=text, thread_id=thread_id, reply_to=reply_to, bot_token=bot.token
    )


def get_chat(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    chat_id = _chat_id(store, bot, params)
    return {
        **store.chat(chat_id),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": GIFTS,
    }


def create_forum_topic(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    chat_id = _chat_id(store, bot, params)
    group = store.groups.get(chat_id)
    if group is None or not group.is_forum:
        raise ApiError(400, "Bad Request: the chat is not a forum")
    name = str(params.get("name") or "")
    if not 1 <= len(name) <= 128:
        raise ApiError(400, "Bad Request: invalid forum topic name specified")
    thread_id = store.add_topic(chat_id, name, bot)
    return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}


def set_webhook(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    url = str(params.get("url") or "")
    if url and not url.startswith(("http://", "https://")):
        raise ApiError(400, "Bad Request: bad webhook: invalid URL")
    secret = str(params.get("secret_token") or "")
    if len(secret) > 256:
        raise ApiError(400, "Bad Request: secret token is too long")
    with store.lock:
        bot.webhook_url, bot.secret_token = url, secret
    return True


def delete_webhook(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    with store.lock:
        bot.webhook_url = ""
    return True


def get_webhook_info(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    return {"url": bot.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}


def get_file(store: SimStore, bot: SimBot, params: dict[str, Any]) -> Any:
    file_id = str(params.get("file_id") or "")
    found = store.files.get(file_id)
    if found is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    content, _, path = found
    return {
        "file_id": file_id,
        "file_unique_id": file_id.lower(),
        "file_size": len(content),
        "file_path": path,
    }


METHODS: dict[str, Callable[[SimStore, SimBot, dict[str, Any]], Any]] = {
    "getme": get_me,
    "sendmessage": send_message,
    "getchat": get_chat,
    "createforumtopic": create_forum_topic,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "getfile": get_file,
}


def routes(prefix: str) -> list[Any]:
    @route(f"{prefix}/{{bot_token:str}}/{{method:str}}", http_method=["GET", "POST"])
    async def bot_api(
        request: Request[Any, Any, Any], bot_token: str, method: str
    ) -> Response[Any]:
        store: SimStore = request.app.state.telegram_store
        try:
            bot = store.bot(bot_token.removeprefix("bot")) if bot_token.startswith("bot") else None
            if bot is None:
                raise ApiError(401, "Unauthorized")
            store.calls.append((str(bot.id), method))
            fault = store.take_fault(method)
            if fault is not None:
                if fault.status == 429:
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {fault.retry_after}",
                        {"retry_after": fault.retry_after},
                    )
                raise ApiError(
                    fault.status, "Unauthorized" if fault.status == 401 else "Internal Server Error"
                )
            handler = METHODS.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            try:
                params = await _params(request)
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse parameters") from exc
            return _answer(handler(store, bot, params))
        except ApiError as exc:
            return _error(exc)

    @route(f"{prefix}/file/{{bot_token:str}}/{{file_path:path}}", http_method=["GET"])
    async def download(
        request: Request[Any, Any, Any], bot_token: str, file_path: str
    ) -> Response[Any]:
        store: SimStore = request.app.state.telegram_store
        bot = store.bot(bot_token.removeprefix("bot")) if bot_token.startswith("bot") else None
        if bot is None:
            return Response(b"Unauthorized", status_code=401)
        wanted = file_path.lstrip("/")
        for content, mime, path in list(store.files.values()):
            if path == wanted:
                return Response(content, media_type=mime)
        return Response(b"Not Found", status_code=404)

    return [bot_api, download]

"""The simulator's memory: bots, chats, messages, topics, files, faults and delivered updates.

Thread-safe (tests read it from another thread than the server's). Shapes follow the Bot API:
https://core.telegram.org/bots/api#available-types
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SimBot:
    token: str  # "<bot id>:<secret>"
    username: str
    name: str
    webhook_url: str = ""
    secret_token: str = ""

    @property
    def id(self) -> int:
        return int(self.token.split(":", 1)[0])

    def user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": True, "first_name": self.name, "username": self.username}


@dataclass
class SimGroup:
    id: int  # negative, as Telegram's are
    title: str
    is_forum: bool = True
    bot_tokens: tuple[str, ...] = ()  # the bots that are members


@dataclass
class TelegramSimConfig:
    bots: list[SimBot] = field(default_factory=list)
    groups: list[SimGroup] = field(default_factory=list)
    prefix: str = ""  # where the simulator is mounted ("/telegram" in the demo)
    delivery_tries: int = 3
    delivery_backoff_seconds: float = 0.2


@dataclass
class Fault:
    method: str  # a Bot API method, or "*"
    status: int  # 429, 5xx or 401
    remaining: int
    retry_after: int = 1


@dataclass
class Delivery:
    bot_id: int
    update: dict[str, Any]
    status: int | None  # the webhook's HTTP status; None: not delivered (no webhook, or down)
    error: str = ""


class SimStore:
    def __init__(self, config: TelegramSimConfig) -> None:
        self.lock = threading.RLock()
        self.bots = {b.token: b for b in config.bots}
        self.groups = {g.id: g for g in config.groups}
        self.messages: list[dict[str, Any]] = []
        self.topics: dict[int, dict[int, str]] = {}
        self.files: dict[str, tuple[bytes, str, str]] = {}  # id -> content, mime, file_path
        self.faults: list[Fault] = []
        self.deliveries: list[Delivery] = []
        self.calls: list[tuple[str, str]] = []  # (bot id, method)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)

    # -- lookups ------------------------------------------------------------------------------
    def bot(self, token: str) -> SimBot | None:
        with self.lock:
            return self.bots.get(token)

    def bot_by_id(self, bot_id: int | str) -> SimBot | None:
        with self.lock:
            return next((b for b in self.bots.values() if str(b.id) == str(bot_id)), None)

    def chat(self, chat_id: int, user: dict[str, Any] | None = None) -> dict[str, Any]:
        group = self.groups.get(chat_id)
        if group is not None:
            chat: dict[str, Any] = {"id": group.id, "type": "supergroup", "title": group.title}
            if group.is_forum:
                chat["is_forum"] = True
            return chat
        chat = {"id": chat_id, "type": "private"}
        if user:
            chat["first_name"] = user.get("first_name", "")
        return chat

    # -- recording ----------------------------------------------------------------------------
    def next_message_id(self, chat_id: int) -> int:
        with self.lock:
            counter = self._message_ids.setdefault(chat_id, itertools.count(1))
            return next(counter)

    def next_update_id(self) -> int:
        with self.lock:
            return next(self._update_ids)

    def add_message(
        self,
        chat_id: int,
        sender: dict[str, Any],
        *,
        text: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        extra: dict[str, Any] | None = None,
        bot_token: str = "",
    ) -> dict[str, Any]:
        with self.lock:
            message: dict[str, Any] = {
                "message_id": self.next_message_id(chat_id),
                "from": sender,
                "chat": self.chat(chat_id, sender),
                "date": int(time.time()),
            }
            if text is not None:
                message["text"] = text
            if thread_id is not None:
                message["message_thread_id"] = thread_id
                message["is_topic_message"] = True
            replied = (
                self.find_message(chat_id, reply_to or thread_id)
                if (reply_to or thread_id)
                else None
            )
            if replied is not None:
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
            if extra:
                message.update(extra)
            self.messages.append({**message, "_bot": bot_token})
            return message

    def find_message(self, chat_id: int, message_id: int | None) -> dict[str, Any] | None:
        with self.lock:
            for m in reversed(self.messages):
                if m["chat"]["id"] == chat_id and m["message_id"] == message_id:
                    return {k: v for k, v in m.items() if k != "_bot"}
        return None

    def add_topic(self, chat_id: int, name: str, bot: SimBot) -> int:
        with self.lock:
            created = self.add_message(
                chat_id,
                bot.user(),
                extra={"forum_topic_created": {"name": name, "icon_color": 7322096}},
                bot_token=bot.token,
            )
            thread_id = int(created["message_id"])
            self.topics.setdefault(chat_id, {})[thread_id] = name
            return thread_id

    def add_file(self, content: bytes, mime: str, name: str) -> str:
        with self.lock:
            n = next(self._file_ids)
            file_id = f"SIMFILE{n:06d}"
            self.files[file_id] = (content, mime, f"documents/{n}_{name}")
            return file_id

    # -- faults -------------------------------------------------------------------------------
    def set_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method in (method, "*") and fault.remaining != 0:
                    fault.remaining -= 1
                    return fault
        return None

    # -- reading (tests, the page) ------------------------------------------------------------
    def sent_by_bot(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                m
                for m in self.messages
                if m["from"].get("is_bot")
                and "text" in m
                and (chat_id is None or m["chat"]["id"] == chat_id)
            ]

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.messages if m["chat"]["id"] == chat_id]

    def private_chats(self, bot_token: str) -> list[int]:
        with self.lock:
            seen: dict[int, None] = {}
            for m in self.messages:
                if m["chat"]["type"] == "private" and m["_bot"] == bot_token:
                    seen[m["chat"]["id"]] = None
            return list(seen)

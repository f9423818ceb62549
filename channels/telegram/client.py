"""The Bot API calls the adapter needs, made through python-telegram-bot's `Bot`.

Only this module (and `parse`, for the typed `Update`) imports the SDK. It turns every failure
into one of the three error kinds of `channels.base`, so retry policy lives in the outbox.

- Methods: https://core.telegram.org/bots/api#available-methods
- Errors: https://core.telegram.org/bots/api#making-requests (`ok`, `error_code`,
  `parameters.retry_after` on 429, `parameters.migrate_to_chat_id`)
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import Bot, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from channels.base import (
    AuthError,
    ChannelError,
    FetchedMedia,
    PermanentError,
    PlatformEndpoints,
    TransientError,
)

# getFile serves files up to 20 MB: https://core.telegram.org/bots/api#getfile
MAX_FILE_BYTES = 20 * 1024 * 1024
TOPIC_NAME_LIMIT = 128  # createForumTopic: 1-128 characters


_TOKEN_IN_URL = re.compile(r"/bot(\d+):[A-Za-z0-9_-]+")


class _HideTokens(logging.Filter):
    """httpx logs every request URL at INFO, and a Bot API URL carries the bot token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = ()
        record.msg = _TOKEN_IN_URL.sub(r"/bot\1:***", str(record.msg))
        return True


_HIDE_TOKENS = _HideTokens()


def _hide_tokens_in_http_logs() -> None:
    logger = logging.getLogger("httpx")
    if _HIDE_TOKENS not in logger.filters:
        logger.addFilter(_HIDE_TOKENS)


def _error(exc: TelegramError) -> ChannelError:
    # Never put the token in a message: InvalidToken's own text may carry it.
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
            warnings.simplefilter("ignore")
            wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return TransientError("Telegram asks to slow down", code="429", retry_after=seconds)
    if isinstance(exc, InvalidToken):
        return AuthError("Telegram refused the bot token", code="invalid_token")
    if isinstance(exc, ChatMigrated):
        return PermanentError(
            f"the group became a supergroup: set admin_group_id to {exc.new_chat_id}",
            code="chat_migrated",
        )
    if isinstance(exc, Forbidden):
        # The citizen blocked the bot, or the bot was removed from the group.
        return PermanentError(f"Telegram refused: {exc.message}", code="forbidden")
    if isinstance(exc, BadRequest):
        return PermanentError(f"Telegram refused the request: {exc.message}", code="bad_request")
    if isinstance(exc, TimedOut | NetworkError):
        return TransientError(f"Telegram unreachable: {exc.message}", code="network")
    return TransientError(f"Telegram error: {exc.message}", code="telegram")


class TelegramClient:
    """One bot token talking to one Bot API base URL (`PlatformEndpoints.telegram_api_url`)."""

    def __init__(self, endpoints: PlatformEndpoints, token: str) -> None:
        if not token:
            raise AuthError("the account has no bot_token", code="invalid_token")
        self.endpoints = endpoints
        self.token = token
        _hide_tokens_in_http_logs()

    @asynccontextmanager
    async def _bot(self) -> AsyncIterator[Bot]:
        # A client per call: jobs run on whichever event loop the worker has, and the httpx
        # pool must not outlive it. No `initialize()` (that would add a getMe to every send).
        base = self.endpoints.telegram_api_url.rstrip("/")
        timeout = self.endpoints.timeout_seconds
        request = HTTPXRequest(
            connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=5
        )
        await request.initialize()
        bot = Bot(
            self.token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=request,
            get_updates_request=request,
        )
        try:
            yield bot
        except TelegramError as exc:
            raise _error(exc) from None
        finally:
            await request.shutdown()

    async def get_me(self) -> dict[str, object]:
        async with self._bot() as bot:
            me = await bot.get_me()
            return {"id": me.id, "username": me.username, "name": me.first_name}

    async def send_text(
        self,
        chat_id: str,
        text: str,
        *,
        thread_id: str | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Send a text; return its message_id (unique within the chat)."""
        async with self._bot() as bot:
            sent = await bot.send_message(
                chat_id=_chat(chat_id),
                text=text,
                message_thread_id=int(thread_id) if thread_id else None,
                reply_parameters=(
                    ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                    if reply_to
                    else None
                ),
                disable_web_page_preview=True,
            )
            return sent.message_id

    async def is_forum(self, chat_id: str) -> bool:
        async with self._bot() as bot:
            chat = await bot.get_chat(chat_id=_chat(chat_id))
            return bool(chat.is_forum)

    async def create_topic(self, chat_id: str, name: str) -> int:
        async with self._bot() as bot:
            topic = await bot.create_forum_topic(
                chat_id=_chat(chat_id), name=name[:TOPIC_NAME_LIMIT] or "?"
            )
            return topic.message_thread_id

    async def set_webhook(
        self, url: str, secret_token: str, allowed_updates: Sequence[str]
    ) -> bool:
        async with self._bot() as bot:
            return await bot.set_webhook(
                url=url, secret_token=secret_token, allowed_updates=list(allowed_updates)
            )

    async def fetch_file(self, file_id: str, max_bytes: int) -> FetchedMedia:
        limit = min(max_bytes, MAX_FILE_BYTES)
        async with self._bot() as bot:
            file = await bot.get_file(file_id)
            if file.file_size and file.file_size > limit:
                raise PermanentError(
                    f"the file is {file.file_size} bytes, over the {limit} allowed",
                    code="too_large",
                )
            content = bytes(await file.download_as_bytearray())
        if len(content) > limit:
            raise PermanentError(
                f"the file is {len(content)} bytes, over the {limit} allowed", code="too_large"
            )
        name = (file.file_path or "").rsplit("/", 1)[-1] or None
        return FetchedMedia(content=content, mime_type=None, filename=name)


def _chat(chat_id: str) -> int | str:
    # Group ids are negative integers; a public chat may be given as @username.
    try:
        return int(chat_id)
    except ValueError:
        return chat_id

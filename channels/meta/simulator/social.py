"""A Messenger Platform surface (Page or Instagram) behind the shared Graph routes.

It answers the Send API (`POST /{account}/messages`, to a citizen or as a private reply to a
comment) and public comment replies (`POST /{comment}/comments` or `/replies`), enforcing what
Meta enforces (the 24-hour window and the HUMAN_AGENT tag's 7 days, one private reply per
comment within 7 days, Instagram's top-level-only replies), and posts signed webhooks to the
helpdesk: citizens' messages and comments, comment edits and removals, and the echoes of the
account's own sends. What differs per surface (ids, the comment change's shape) comes in a
`SurfaceSpec`. https://developers.facebook.com/docs/messenger-platform
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response

from channels.meta.simulator import graph, shared
from channels.meta.simulator.shared import Fault
from channels.meta.simulator.social_store import (
    SocialAccount,
    SocialItem,
    SocialMedia,
    SocialStore,
)
from channels.meta.simulator.tasks import TaskSet
from channels.meta.simulator.webhooks import WebhookSender

MESSAGE_WINDOW = 24 * 3600
TAGGED_WINDOW = 7 * 24 * 3600
PRIVATE_REPLY_WINDOW = 7 * 24 * 3600
APP_ID = "1517552501815623"
FAULT_KINDS = ("rate_limit", "token_expired", "already_replied", "unavailable", "server_error")
RATE_LIMIT_CODES = (4, 17, 32, 613, 80007, 130429)


@dataclass(frozen=True, slots=True)
class SurfaceSpec:
    name: str  # the helpdesk's channel kind: "facebook", "instagram"
    webhook_object: str  # "page", "instagram"
    comment_reply_edge: str  # "comments" on a Page, "replies" on Instagram
    top_level_replies_only: bool
    max_text: int
    #: the `changes[]` item announcing a comment (`verb`: add, edited, remove, hide, unhide)
    comment_change: Callable[[SocialAccount, SocialItem, str], dict[str, Any]]
    #: verbs beyond "add" the surface reports
    comment_verbs: tuple[str, ...] = ()


class InboundError(ValueError):
    """The citizen-side request lacks what it needs."""


class SocialProduct:
    """One surface's accounts, memory and webhook sender."""

    def __init__(
        self,
        spec: SurfaceSpec,
        accounts: list[SocialAccount],
        *,
        app_secret: str,
        webhook_url: str,
        public_url: str | None = None,
        webhook_max_attempts: int = 5,
        webhook_backoff_seconds: float = 1.0,
        echo_delay_seconds: float = 0.05,
    ) -> None:
        self.spec = spec
        self.accounts = [SocialAccount(*a) for a in accounts]
        self.public_url = public_url
        self.echo_delay_seconds = echo_delay_seconds
        self.store = SocialStore()
        self.tasks = TaskSet()
        self.webhooks = WebhookSender(
            webhook_url,
            app_secret,
            self.store,
            self.tasks,
            max_attempts=webhook_max_attempts,
            backoff_seconds=webhook_backoff_seconds,
        )

    async def stop(self) -> None:
        await self.tasks.cancel_all()
        await self.webhooks.close()

    def account(self, account_id: str) -> SocialAccount | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)

    # -- Graph API --------------------------------------------------------------------------

    def owns_token(self, sim: Any, token: str) -> bool:
        return any(a.access_token == token for a in self.accounts)

    async def get_object(
        self, sim: Any, request: Request[Any, Any, Any], object_id: str, token: str
    ) -> Response[Any] | None:
        return None

    async def post_messages(
        self, sim: Any, request: Request[Any, Any, Any], object_id: str, params: graph.Params
    ) -> Response[Any] | None:
        account = self.account(object_id)
        if account is None:
            return None
        if graph.access_token(request, params) != account.access_token:
            return graph.unsupported_object("post", object_id)
        recipient = params.get("recipient")
        message = params.get("message")
        if not isinstance(recipient, dict) or not isinstance(message, dict):
            return _invalid("The parameters recipient and message are required.")
        body = message.get("text")
        if not isinstance(body, str) or not body.strip():
            return _invalid("The parameter message[text] is required.")
        if len(body) > self.spec.max_text:
            return _invalid(f"Message text must be at most {self.spec.max_text} characters.")
        fault = self.store.take_fault()
        if fault is not None:
            return refusal(fault)
        now = _now()
        if "comment_id" in recipient:
            return self._private_reply(account, str(recipient["comment_id"]), body, message, now)
        citizen = str(recipient.get("id") or "")
        last = self.store.last_message_from(account.account_id, citizen)
        if last is None:
            return _unavailable()
        tag = params.get("tag") if params.get("messaging_type") == "MESSAGE_TAG" else None
        if params.get("messaging_type", "RESPONSE") not in ("RESPONSE", "MESSAGE_TAG", "UPDATE"):
            return _invalid("Invalid messaging_type.")
        if tag not in (None, "HUMAN_AGENT"):
            return _invalid("The simulator only knows the HUMAN_AGENT tag.")
        allowed = TAGGED_WINDOW if tag == "HUMAN_AGENT" else MESSAGE_WINDOW
        if now - last > allowed:
            return _outside_window()
        item = self._record_send(account, citizen, body, now, tag=tag)
        self._echo_later(account, item, message.get("metadata"))
        return graph.ok({"recipient_id": citizen, "message_id": item.id})

    async def post_edge(
        self,
        sim: Any,
        request: Request[Any, Any, Any],
        object_id: str,
        edge: str,
        params: graph.Params,
    ) -> Response[Any] | None:
        comment = self.store.item(object_id)
        if edge != self.spec.comment_reply_edge or comment is None or comment.kind != "comment":
            return None
        account = self.account(comment.account_id)
        assert account is not None  # comments are only made on configured accounts
        if graph.access_token(request, params) != account.access_token:
            return graph.unsupported_object("post", object_id)
        body = params.get("message")
        if not isinstance(body, str) or not body.strip():
            return _invalid("The parameter message is required.")
        if self.spec.top_level_replies_only and comment.parent_id:
            return _invalid("Replies can only be made to top-level comments.")
        fault = self.store.take_fault()
        if fault is not None:
            return refusal(fault)
        if comment.state == "removed":
            return graph.unsupported_object("post", object_id)
        reply = SocialItem(
            id=self._comment_id(comment.post_id),
            account_id=account.account_id,
            citizen=comment.citizen,
            direction="outbound",
            kind="comment",
            text=body,
            timestamp=_now(),
            parent_id=comment.id,
            post_id=comment.post_id,
            via="api",
        )
        self.store.items.append(reply)

        async def announce() -> None:  # Meta reports the page's own comment as a feed change
            reply.delivery = await self._deliver_comment(account, reply, "add")

        self.tasks.spawn(announce())
        return graph.ok({"id": reply.id})

    # -- the citizen's side -----------------------------------------------------------------

    async def citizen_message(self, data: dict[str, Any]) -> SocialItem:
        account = self._account_of(data)
        citizen = _required(data, "from")
        text = str(data.get("text") or "")
        media_url = None
        if data.get("content_base64"):
            media_url = self._store_media(data)
        if not text and media_url is None:
            raise InboundError("'text' (or 'content_base64') is required")
        item = SocialItem(
            id=_message_id(),
            account_id=account.account_id,
            citizen=citizen,
            direction="inbound",
            kind="message",
            text=text,
            timestamp=_now(),
            citizen_name=str(data.get("name") or "") or None,
            media_url=media_url,
        )
        self.store.items.append(item)
        message: dict[str, Any] = {"mid": item.id}
        if text:
            message["text"] = text
        if media_url:
            message["attachments"] = [{"type": "image", "payload": {"url": media_url}}]
        event = {
            "sender": {"id": citizen},
            "recipient": {"id": account.account_id},
            "timestamp": item.timestamp * 1000,
            "message": message,
        }
        item.delivery = await self.webhooks.deliver(
            self._envelope(account, messaging=[event]), kind="message"
        )
        return item

    async def citizen_comment(self, data: dict[str, Any]) -> SocialItem:
        account = self._account_of(data)
        citizen = _required(data, "from")
        text = _required(data, "text")
        parent = None
        if data.get("parent_id"):
            parent = self.store.item(str(data["parent_id"]))
            if parent is None or parent.kind != "comment":
                raise InboundError("unknown 'parent_id'")
        post_id = parent.post_id if parent else str(data.get("post_id") or "") or None
        if not post_id:
            number = str(10**15 + secrets.randbelow(9 * 10**15))
            page = self.spec.webhook_object == "page"
            post_id = f"{account.account_id}_{number}" if page else number
        item = SocialItem(
            id=self._comment_id(post_id),
            account_id=account.account_id,
            citizen=citizen,
            direction="inbound",
            kind="comment",
            text=text,
            timestamp=_now(),
            citizen_name=str(data.get("name") or "") or None,
            parent_id=parent.id if parent else None,
            post_id=post_id,
        )
        self.store.items.append(item)
        item.delivery = await self._deliver_comment(account, item, "add")
        return item

    async def change_comment(self, data: dict[str, Any]) -> SocialItem:
        """The citizen edits or removes a comment, or the page hides it (Page surface)."""
        verb = data.get("verb")
        if verb not in self.spec.comment_verbs:
            raise InboundError(f"'verb' must be one of {', '.join(self.spec.comment_verbs)}")
        item = self.store.item(str(data.get("comment_id") or ""))
        if item is None or item.kind != "comment":
            raise InboundError("unknown 'comment_id'")
        account = self.account(item.account_id)
        assert account is not None
        if verb == "edited":
            item.text = _required(data, "text")
        item.state = {"edited": "edited", "remove": "removed", "hide": "hidden"}.get(
            str(verb), "visible"
        )
        item.delivery = await self._deliver_comment(account, item, str(verb))
        return item

    async def app_message(self, data: dict[str, Any]) -> SocialItem:
        """An admin answers from Meta's own apps: Meta sends the helpdesk an echo."""
        account = self._account_of(data)
        citizen = _required(data, "to")
        item = self._record_send(account, citizen, _required(data, "text"), _now(), via="app")
        item.delivery = await self._deliver_echo(account, item, None)
        return item

    # -- internals --------------------------------------------------------------------------

    def _private_reply(
        self,
        account: SocialAccount,
        comment_id: str,
        body: str,
        message: dict[str, Any],
        now: int,
    ) -> Response[Any]:
        comment = self.store.item(comment_id)
        if comment is None or comment.kind != "comment" or comment.account_id != account.account_id:
            return _invalid("The comment_id is not valid.")
        if any(i.private_reply_to == comment_id for i in self.store.items):
            return already_replied()
        if now - comment.timestamp > PRIVATE_REPLY_WINDOW:
            return _outside_window()
        item = self._record_send(account, comment.citizen, body, now)
        item.private_reply_to = comment_id
        self._echo_later(account, item, message.get("metadata"))
        return graph.ok({"recipient_id": comment.citizen, "message_id": item.id})

    def _record_send(
        self,
        account: SocialAccount,
        citizen: str,
        body: str,
        now: int,
        *,
        tag: str | None = None,
        via: str = "api",
    ) -> SocialItem:
        item = SocialItem(
            id=_message_id(),
            account_id=account.account_id,
            citizen=citizen,
            direction="outbound",
            kind="message",
            text=body,
            timestamp=now,
            via=via,
            tag=tag,
        )
        self.store.items.append(item)
        return item

    def _echo_later(self, account: SocialAccount, item: SocialItem, metadata: Any) -> None:
        async def later() -> None:
            await asyncio.sleep(self.echo_delay_seconds)
            item.delivery = await self._deliver_echo(account, item, metadata)

        self.tasks.spawn(later())

    async def _deliver_echo(self, account: SocialAccount, item: SocialItem, metadata: Any) -> Any:
        message: dict[str, Any] = {"mid": item.id, "is_echo": True, "app_id": APP_ID}
        message["text"] = item.text
        if isinstance(metadata, str):
            message["metadata"] = metadata
        event = {
            "sender": {"id": account.account_id},
            "recipient": {"id": item.citizen},
            "timestamp": item.timestamp * 1000,
            "message": message,
        }
        return await self.webhooks.deliver(self._envelope(account, messaging=[event]), kind="echo")

    async def _deliver_comment(self, account: SocialAccount, item: SocialItem, verb: str) -> Any:
        change = self.spec.comment_change(account, item, verb)
        return await self.webhooks.deliver(
            self._envelope(account, changes=[change]), kind=f"comment:{verb}"
        )

    def _envelope(
        self,
        account: SocialAccount,
        *,
        messaging: list[dict[str, Any]] | None = None,
        changes: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": account.account_id, "time": int(time.time() * 1000)}
        if messaging is not None:
            entry["messaging"] = messaging
        if changes is not None:
            entry["time"] = _now()  # change entries carry seconds
            entry["changes"] = changes
        return {"object": self.spec.webhook_object, "entry": [entry]}

    def _account_of(self, data: dict[str, Any]) -> SocialAccount:
        account = self.account(str(data.get("account_id") or ""))
        if account is None:
            raise InboundError("unknown 'account_id'")
        return account

    def _comment_id(self, post_id: str | None) -> str:
        suffix = str(10**15 + secrets.randbelow(9 * 10**15))
        if self.spec.webhook_object == "page" and post_id:
            return f"{post_id.rsplit('_', 1)[-1]}_{suffix}"
        return suffix

    def _store_media(self, data: dict[str, Any]) -> str:
        try:
            content = base64.b64decode(str(data["content_base64"]), validate=True)
        except (binascii.Error, ValueError):
            raise InboundError("'content_base64' must be base64") from None
        opaque = secrets.token_urlsafe(24)
        mime_type = str(data.get("mime_type") or "image/jpeg")
        self.store.media[opaque] = SocialMedia(content, mime_type)
        base = (self.public_url or "http://127.0.0.1").rstrip("/")
        return f"{base}/_sim/{self.spec.name}/cdn/{opaque}"


def refusal(fault: Fault) -> Response[Any]:
    """What a send gets while a fault is armed, in Meta's shape."""
    headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else None
    match fault.kind:
        case "rate_limit":
            code = fault.code or 613
            status = 429 if code == 4 else 400
            return graph.error_response(
                status,
                code,
                f"(#{code}) Calls to this api have exceeded the rate limit.",
                messaging_product=None,
                headers=headers,
            )
        case "token_expired":
            return graph.error_response(
                401,
                190,
                "Error validating access token: Session has expired.",
                subcode=463,
                messaging_product=None,
            )
        case "already_replied":
            return already_replied()
        case "unavailable":
            return _unavailable()
        case _:
            return graph.error_response(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
                is_transient=True,
                messaging_product=None,
                headers=headers,
            )


def already_replied() -> Response[Any]:
    return graph.error_response(
        400, 10900, "(#10900) Activity already replied to", messaging_product=None
    )


def _unavailable() -> Response[Any]:
    return graph.error_response(
        400,
        551,
        "(#551) This person isn't available right now.",
        subcode=1545041,
        messaging_product=None,
    )


def _outside_window() -> Response[Any]:
    return graph.error_response(
        400,
        10,
        "(#10) This message is sent outside of allowed window.",
        subcode=2018278,
        messaging_product=None,
    )


def _invalid(details: str) -> Response[Any]:
    return graph.error_response(
        400, 100, f"(#100) {details}", error_type="OAuthException", messaging_product=None
    )


def parse_fault(data: Any) -> Fault:
    """Validate the JSON of `POST /_sim/{surface}/faults`; raise ValueError with a reason."""
    return Fault(*shared.parse_fault(data, FAULT_KINDS, _check_code))


def _check_code(kind: str, code: Any) -> None:
    if kind == "rate_limit" and code is not None and code not in RATE_LIMIT_CODES:
        raise ValueError(f"a rate limit 'code' is one of {RATE_LIMIT_CODES}")


def _required(data: dict[str, Any], key: str) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        raise InboundError(f"'{key}' is required")
    return value


def _message_id() -> str:
    return "m_" + secrets.token_urlsafe(30)


def _now() -> int:
    return int(time.time())

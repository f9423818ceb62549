"""The Page surface of the Meta simulator: ids and the `feed` change of a comment.

https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
"""

from __future__ import annotations

from typing import Any

from channels.meta.simulator.social import SocialProduct, SurfaceSpec
from channels.meta.simulator.social_store import SocialAccount, SocialItem


def feed_change(account: SocialAccount, item: SocialItem, verb: str) -> dict[str, Any]:
    author = (
        {"id": account.account_id, "name": account.name}
        if item.direction == "outbound"
        else {"id": item.citizen, "name": item.citizen_name or "Warga"}
    )
    value: dict[str, Any] = {
        "from": author,
        "post": {"status_type": "added_photos", "is_published": True, "id": item.post_id},
        "post_id": item.post_id,
        "comment_id": item.id,
        "created_time": item.timestamp,
        "item": "comment",
        # A top-level comment's parent is the post.
        "parent_id": item.parent_id or item.post_id,
        "verb": verb,
    }
    if verb != "remove":
        value["message"] = item.text
    return {"field": "feed", "value": value}


SPEC = SurfaceSpec(
    name="facebook",
    webhook_object="page",
    comment_reply_edge="comments",
    top_level_replies_only=False,
    max_text=2000,
    comment_change=feed_change,
    comment_verbs=("edited", "remove", "hide", "unhide"),
)


def page_product(
    accounts: list[SocialAccount], *, app_secret: str, webhook_url: str, **options: Any
) -> SocialProduct:
    """Messenger and page comments, webhooks to the helpdesk's `/webhooks/facebook`."""
    return SocialProduct(SPEC, accounts, app_secret=app_secret, webhook_url=webhook_url, **options)

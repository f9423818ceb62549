"""The Instagram surface of the Meta simulator: the `comments` change of a media comment.

https://developers.facebook.com/docs/instagram-platform/webhooks/examples
"""

from __future__ import annotations

from typing import Any

from channels.meta.simulator.social import SocialProduct, SurfaceSpec
from channels.meta.simulator.social_store import SocialAccount, SocialItem


def comments_change(account: SocialAccount, item: SocialItem, verb: str) -> dict[str, Any]:
    author = (
        {"id": account.account_id, "username": account.name}
        if item.direction == "outbound"
        else {"id": item.citizen, "username": item.citizen_name or "warga"}
    )
    value: dict[str, Any] = {
        "from": author,
        "media": {"id": item.post_id, "media_product_type": "FEED"},
        "id": item.id,
        "text": item.text,
    }
    if item.parent_id:
        value["parent_id"] = item.parent_id
    return {"field": "comments", "value": value}


SPEC = SurfaceSpec(
    name="instagram",
    webhook_object="instagram",
    comment_reply_edge="replies",
    top_level_replies_only=True,
    max_text=1000,
    comment_change=comments_change,
)


def instagram_product(
    accounts: list[SocialAccount], *, app_secret: str, webhook_url: str, **options: Any
) -> SocialProduct:
    """Direct messages and media comments, webhooks to `/webhooks/instagram`."""
    return SocialProduct(SPEC, accounts, app_secret=app_secret, webhook_url=webhook_url, **options)

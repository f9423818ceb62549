"""How fast Telegram updates are parsed into typed objects (pure CPU, no I/O), and how much of
that is python-telegram-bot's `Update.de_json`.

    .venv/bin/python -m bench.telegram_parse [--updates 20000]

Telegram sends one update per webhook call, so this is the per-request parsing cost: a citizen's
private text, a private photo, and a group member's reply in a forum topic.
"""

from __future__ import annotations

import argparse
import json
import time

from telegram import Update

from channels.telegram.parse import envelope, parse_update

GROUP = {"id": -1001000000001, "type": "supergroup", "title": "Group Admin", "is_forum": True}
USER = {"id": 5550001, "is_bot": False, "first_name": "Siti", "last_name": "Aminah"}


def _updates(n: int) -> list[bytes]:
    kinds = [
        {"chat": {"id": 5550001, "type": "private"}, "text": "KTP-el saya belum jadi, mohon info"},
        {
            "chat": {"id": 5550001, "type": "private"},
            "caption": "foto KK",
            "photo": [
                {"file_id": "a", "file_unique_id": "a", "width": 90, "height": 90},
                {"file_id": "b", "file_unique_id": "b", "width": 1280, "height": 960},
            ],
        },
        {
            "chat": GROUP,
            "text": "Cek di SIAK pusat dulu",
            "message_thread_id": 7,
            "is_topic_message": True,
            "reply_to_message": {"message_id": 7, "date": 1790000000, "chat": GROUP},
        },
    ]
    return [
        envelope(
            "7000000001",
            json.dumps(
                {
                    "update_id": i,
                    "message": {"message_id": i, "date": 1790000000, "from": USER, **kinds[i % 3]},
                }
            ).encode(),
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20000)
    args = parser.parse_args()
    bodies = _updates(args.updates)
    start = time.perf_counter()
    for body in bodies:
        parse_update(body)
    total = time.perf_counter() - start
    raw = [json.loads(b.partition(b"\n")[2]) for b in bodies]
    start = time.perf_counter()
    for data in raw:
        Update.de_json(data, None)
    sdk = time.perf_counter() - start
    each = total * 1e6 / args.updates
    print(f"{args.updates} updates: {args.updates / total:,.0f}/s parsed ({each:.1f} µs each)")
    print(f"  of which Update.de_json: {sdk * 1e6 / args.updates:.1f} µs each")


if __name__ == "__main__":
    main()

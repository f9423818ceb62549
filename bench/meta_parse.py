"""How fast Page and Instagram webhook bodies are parsed (pure CPU, no I/O).

    .venv/bin/python -m bench.meta_parse [--bodies 2000] [--per-body 50]

Each body batches `per-body` Messenger messages and as many page comments (Meta batches up to
1000 updates per body); prints bodies and items parsed per second for each surface.
"""

from __future__ import annotations

import argparse
import json
import time

from channels.facebook.parse import parse_webhook as parse_page
from channels.instagram.parse import parse_webhook as parse_instagram

PAGE_ID = "104857600000001"


def _page_body(n: int, per_body: int) -> bytes:
    messaging = [
        {
            "sender": {"id": f"700{n}{i}"},
            "recipient": {"id": PAGE_ID},
            "timestamp": 1764200000123 + i,
            "message": {"mid": f"m_{n}_{i}", "text": "KTP-el saya belum jadi, mohon info"},
        }
        for i in range(per_body)
    ]
    changes = [
        {
            "field": "feed",
            "value": {
                "from": {"id": f"600{n}{i}", "name": "Warga"},
                "post_id": f"{PAGE_ID}_1",
                "comment_id": f"1_{n}{i}",
                "parent_id": f"{PAGE_ID}_1",
                "created_time": 1764200000,
                "item": "comment",
                "verb": "add",
                "message": "Jadwal perekaman kapan?",
            },
        }
        for i in range(per_body)
    ]
    entry = {"id": PAGE_ID, "time": 1764200000123, "messaging": messaging, "changes": changes}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def _instagram_body(n: int, per_body: int) -> bytes:
    body = json.loads(_page_body(n, per_body))
    body["object"] = "instagram"
    body["entry"][0]["changes"] = [
        {
            "field": "comments",
            "value": {
                "from": {"id": f"17{n}{i}", "username": "warga"},
                "id": f"18{n}{i}",
                "media": {"id": "1790"},
                "text": "Kapan KIA dibuka?",
            },
        }
        for i in range(per_body)
    ]
    return json.dumps(body).encode()


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--bodies", type=int, default=2000)
    args.add_argument("--per-body", type=int, default=50)
    options = args.parse_args()
    for name, make, parse in (
        ("facebook", _page_body, parse_page),
        ("instagram", _instagram_body, parse_instagram),
    ):
        bodies = [make(n, options.per_body) for n in range(options.bodies)]
        started = time.perf_counter()
        items = sum(len(parse(body).messages) for body in bodies)
        elapsed = time.perf_counter() - started
        print(
            f"{name:9} {options.bodies / elapsed:10.0f} bodies/s  {items / elapsed:10.0f} "
            f"messages and comments/s  ({items} in {elapsed:.2f} s)"
        )


if __name__ == "__main__":
    main()

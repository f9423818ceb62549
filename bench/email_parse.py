"""How fast a raw mail becomes its compat32 `Message` tree: the stdlib's
`email.message_from_bytes` against `channels.email.mime_tree.read` (pure CPU, no I/O).

    .venv/bin/python -m bench.email_parse [--n 2000] [--attachments 0.15] [--seed 1] [--runs 7]

The mails are `bench.email_ingest`'s corpus (the same generator as the ingest bench). Each run
reads every mail once with each reader, in alternating order; prints the median seconds of each,
their ratio, MB/s, and how many mails the fast reader left to the stdlib. Also checks the first
run's trees are the same (headers and leaf payloads), so a fast wrong answer cannot pass.
"""

from __future__ import annotations

import argparse
import email
import json
import statistics
import time
from collections.abc import Callable
from email import policy
from email.message import Message

from bench.email_ingest import make_mails
from channels.email import mime_tree


def stdlib(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def timed(reader: Callable[[bytes], Message], mails: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in mails:
        reader(raw)
    return time.perf_counter() - start


def shape(msg: Message) -> list[object]:
    """Enough of a tree to notice a wrong one: every part's headers, payload, pre/epilogue."""
    return [
        (list(part.raw_items()), part.preamble, part.epilogue, part.get_payload())
        if not part.is_multipart()
        else (list(part.raw_items()), part.preamble, part.epilogue)
        for part in msg.walk()
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--replies", type=float, default=0.25)
    p.add_argument("--attachments", type=float, default=0.15)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    mails = [m.raw for m in make_mails(args.n, args.replies, args.attachments, args.seed)]
    for raw in mails:
        if shape(mime_tree.read(raw)) != shape(stdlib(raw)):
            raise SystemExit("the fast reader gave another tree: not measuring a wrong answer")
    left = sum(mime_tree.read_fast(raw) is None for raw in mails)
    slow: list[float] = []
    fast: list[float] = []
    for run in range(args.runs):
        # alternate which goes first, so neither always gets the warmer caches
        if run % 2:
            fast.append(timed(mime_tree.read, mails))
            slow.append(timed(stdlib, mails))
        else:
            slow.append(timed(stdlib, mails))
            fast.append(timed(mime_tree.read, mails))
    megabytes = sum(map(len, mails)) / 1e6
    slow_s, fast_s = statistics.median(slow), statistics.median(fast)
    print(
        json.dumps(
            {
                "mails": len(mails),
                "megabytes": round(megabytes, 1),
                "runs": args.runs,
                "stdlib_median_s": round(slow_s, 4),
                "fast_median_s": round(fast_s, 4),
                "ratio": round(slow_s / fast_s, 2),
                "stdlib_mb_per_s": round(megabytes / slow_s, 1),
                "fast_mb_per_s": round(megabytes / fast_s, 1),
                "left_to_stdlib": left,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

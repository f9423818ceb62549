"""How fast a new ticket's text gets its suggested category: `helpdesk.workflow.categories`
against the one-scan-per-pattern version it replaced (pure CPU, no I/O).

    flock /tmp/bench.lock .venv/bin/python -m bench.categories [--n 2000] [--seed 1] [--runs 9]

Two corpora: `email`, the ingest bench's mails (`bench.email_ingest.make_mails`, subject and
text as a ticket starts from them), and `whatsapp`, the webhook bench's one message
(`bench.ingest`: "KTP-el saya rusak, ..."), N of each. Each run scores every text once with each
version, in alternating order; prints the median microseconds a text of each and their ratio.
The old version is the reference of the differential test
(tests/helpdesk/workflow/test_categories_fast.py), which this also checks first on every text,
so a fast wrong answer cannot be measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from bench.email_ingest import make_mails
from helpdesk.workflow.categories import scores
from tests.helpdesk.workflow.test_categories_fast import reference_scores

Scorer = Callable[[str], object]


def timed(scorer: Scorer, texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        scorer(text)
    return time.perf_counter() - start


def measure(texts: list[str], runs: int) -> dict[str, float]:
    if any(scores(t) != reference_scores(t) for t in texts):
        raise SystemExit("the new scores differ from the old: not measuring a wrong answer")
    old: list[float] = []
    new: list[float] = []
    for run in range(runs):
        # alternate which goes first, so neither always gets the warmer caches
        if run % 2:
            new.append(timed(scores, texts))
            old.append(timed(reference_scores, texts))
        else:
            old.append(timed(reference_scores, texts))
            new.append(timed(scores, texts))
    old_s, new_s = statistics.median(old), statistics.median(new)
    return {
        "texts": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
        "old_median_us_per_text": round(old_s / len(texts) * 1e6, 2),
        "new_median_us_per_text": round(new_s / len(texts) * 1e6, 2),
        "ratio": round(old_s / new_s, 2),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=9)
    args = p.parse_args()
    mails = make_mails(args.n, reply_share=0.25, attachment_share=0.0, seed=args.seed)
    corpora = {
        "email": [f"{m.subject}\n\n{m.text}" for m in mails],
        "whatsapp": [
            f"Bench {i}: KTP-el saya rusak, bagaimana cara menggantinya?" for i in range(args.n)
        ],
    }
    result = {"runs": args.runs, **{name: measure(t, args.runs) for name, t in corpora.items()}}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

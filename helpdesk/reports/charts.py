"""Charts as small server-rendered SVG: no JavaScript, readable printed in black and white."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#1f5f8b"
SECOND = "#9cc3dd"
INK = "#1b1b1b"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto" '
        f'role="img" aria-label="{escape(title)}" '
        f'font-family="sans-serif" font-size="12"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def bars(title: str, items: Sequence[tuple[str, int]], width: int = 560) -> str:
    """Horizontal bars, one per label, the count written at the end of each."""
    items = list(items)[:12]
    row, left = 24, 190
    height = row * max(1, len(items)) + 8
    top = max((n for _, n in items), default=0) or 1
    body = []
    for i, (label, n) in enumerate(items):
        y = 4 + i * row
        length = (width - left - 50) * n / top
        short = label if len(label) <= 26 else label[:25] + "…"
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(short)}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{BAR}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 15}" fill="{INK}">{n}</text>'
        )
    if not items:
        body.append(f'<text x="8" y="18" fill="{INK}">—</text>')
    return _svg(width, height, title, body)


def columns(title: str, days: Sequence[dict[str, object]], width: int = 620) -> str:
    """Tickets per day of the month (dark) and those of them already resolved (light)."""
    height, bottom, left = 180, 150, 30
    count = max(1, len(days))
    step = (width - left - 10) / count
    top = max((int(d["count"]) for d in days), default=0) or 1  # type: ignore[call-overload]
    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="{INK}"/>',
        f'<text x="{left - 4}" y="{bottom - 120 + 4}" text-anchor="end" fill="{INK}">{top}</text>',
        f'<text x="{left - 4}" y="{bottom + 4}" text-anchor="end" fill="{INK}">0</text>',
    ]
    for i, d in enumerate(days):
        n, done = int(d["count"]), int(d["resolved"])  # type: ignore[call-overload]
        x = left + i * step + 1
        h, hd = 120 * n / top, 120 * done / top
        body.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{step - 2:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{escape(str(d["day"]))}: {n}</title></rect>'
            # the resolved ones as a narrower bar inside, so both stay visible
            f'<rect x="{x + (step - 2) / 4:.1f}" y="{bottom - hd:.1f}" '
            f'width="{(step - 2) / 2:.1f}" height="{hd:.1f}" fill="{SECOND}"/>'
        )
        if i % 5 == 0 or i == count - 1:
            label = str(d["day"])[-2:]
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{bottom + 16}" text-anchor="middle" '
                f'fill="{INK}">{escape(label)}</text>'
            )
    return _svg(width, height, title, body)

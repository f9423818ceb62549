"""`GET /healthz`: the database, the job queue and each channel account, as JSON."""

from __future__ import annotations

import asyncio

from litestar import Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import select, text

from helpdesk.models import ChannelAccount, Office
from helpdesk.runtime import Runtime


@get("/healthz", tags=["health"])
async def healthz(rt: Runtime) -> Response[dict[str, object]]:
    checks: dict[str, object] = {}
    healthy = True
    try:
        # On SQLite a read-only connection: the check neither waits behind writes nor delays
        # them (the one writer connection is the webhooks' and the jobs').
        async with rt.reader() as session:
            await session.execute(text("SELECT 1"))
            rows = (
                await session.execute(
                    select(ChannelAccount, Office.code)
                    .join(Office, Office.id == ChannelAccount.office_id)
                    .order_by(Office.code, ChannelAccount.kind, ChannelAccount.id)
                )
            ).all()
        checks["database"] = {"status": "ok", "backend": rt.engine.dialect.name}
        checks["channels"] = [
            {
                "office": code,
                "kind": account.kind,
                "label": account.label,
                "status": account.health if account.active else "inactive",
                "last_inbound_at": _iso(account.last_inbound_at),
                "last_outbound_at": _iso(account.last_outbound_at),
                "last_error": account.last_error,
            }
            for account, code in rows
        ]
    except Exception as exc:
        healthy = False
        checks["database"] = {"status": "error", "detail": type(exc).__name__}
    checks["jobs"] = await _queue_health(rt)
    healthy = healthy and checks["jobs"]["status"] == "ok"  # type: ignore[index]
    body = {"status": "ok" if healthy else "error", **checks}
    return Response(body, status_code=HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE)


async def _queue_health(rt: Runtime) -> dict[str, str]:
    queue = rt.queue
    pool = getattr(queue, "pool", None)
    if pool is None:
        return {"status": "ok" if queue is not None else "error", "backend": "in-process"}
    try:
        async with asyncio.timeout(2):
            await pool.ping()
        return {"status": "ok", "backend": "arq"}
    except Exception as exc:
        return {"status": "error", "backend": "arq", "detail": type(exc).__name__}


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


@get("/livez", tags=["health"], include_in_schema=True)
async def livez() -> dict[str, str]:
    """Liveness: the process answers. Touches nothing (the bench's ceiling, a probe's ping)."""
    return {"status": "ok"}

"""Request-scoped dependencies: the runtime, a database session, the signed-in principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal, authenticate_token, load_principal
from helpdesk.runtime import Runtime

SESSION_USER = "uid"
SESSION_VERSION = "sv"  # the user's session_version at sign-in; a password change bumps it


def provide_runtime(state: State) -> Runtime:
    return state.runtime


# Set on a GET handler that writes (an audit row, a "seen" mark): `@get(..., opt=WRITES_ON_GET)`.
WRITES_ON_GET = {"writes": True}
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


def reads_only(request: Request[Any, Any, Any]) -> bool:
    """A GET or HEAD request whose handler has not declared that it writes."""
    return request.method in READ_ONLY_METHODS and not request.route_handler.opt.get("writes")


async def provide_db(request: Request[Any, Any, Any], state: State) -> AsyncIterator[AsyncSession]:
    """The request's session. On SQLite a request that only reads takes a read-only connection,
    beside the single writer instead of behind it (helpdesk.db.create_read_engine)."""
    runtime = state.runtime
    sessions = runtime.sessions
    if runtime.read_sessions is not None and reads_only(request):
        sessions = runtime.read_sessions
    async with sessions() as session:
        yield session


async def provide_api_principal(request: Request, db: AsyncSession) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("an `Authorization: Bearer <token>` header is required")
    principal = await authenticate_token(db, token.strip())
    if principal is None:
        raise NotAuthorizedException("the token is not valid")
    return principal


async def session_principal(request: Request, db: AsyncSession) -> Principal | None:
    user_id = request.session.get(SESSION_USER) if request.scope.get("session") else None
    if not isinstance(user_id, int):
        return None
    principal = await load_principal(db, user_id)
    if principal is None or request.session.get(SESSION_VERSION, 0) != principal.session_version:
        return None
    return principal

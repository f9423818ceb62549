"""Request-scoped dependencies: the runtime, a database session, the signed-in principal."""

from __future__ import annotations

from collections.abc import AsyncIterator

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


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    async with state.runtime.sessions() as session:
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

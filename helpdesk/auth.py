"""Passwords (argon2), API tokens (only their hash stored) and the acting principal."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk.models import ApiToken, Membership, Office, Role, User, utcnow

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown user as slow as a wrong password.
    Made on first use: hashing costs about as much as a login, not every process's start."""
    return _hasher.hash("not a real password")


TOKEN_PREFIX = "hdk_"  # noqa: S105 - a prefix, not a secret


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        verified = _hasher.verify(password_hash or _dummy_hash(), password)
        return verified and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """A signed-in user and the role they hold in each of their offices."""

    user_id: int
    username: str
    display_name: str
    is_superuser: bool
    roles: dict[int, Role] = field(default_factory=dict)  # office id -> role
    language: str = "id"
    session_version: int = 0  # User.session_version when loaded; a session must carry it

    def can_see_office(self, office_id: int) -> bool:
        return self.is_superuser or office_id in self.roles

    def office_scope(self) -> list[int] | None:
        """Office ids this user may see, or None for every office (superuser)."""
        return None if self.is_superuser else sorted(self.roles)

    def role_in(self, office_id: int) -> Role | None:
        if office_id in self.roles:
            return self.roles[office_id]
        return Role.superuser if self.is_superuser else None


def principal_for(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        is_superuser=user.is_superuser,
        roles={m.office_id: Role(m.role) for m in user.memberships},
        language=user.language,
        session_version=user.session_version,
    )


async def load_principal(session: AsyncSession, user_id: int) -> Principal | None:
    found = await load_signed_in(session, user_id)
    return found[0] if found else None


async def load_signed_in(
    session: AsyncSession, user_id: int
) -> tuple[Principal, list[Office]] | None:
    """The active user and the offices they work in (every office for a superuser), by name.

    Every page needs both: one round trip for a member of offices (the user, each membership
    and its office in one joined select), a second only for a superuser's every office."""
    rows = (
        await session.execute(
            select(
                User.username,
                User.full_name,
                User.is_superuser,
                User.language,
                User.session_version,
                Membership.role,
                Office,
            )
            .outerjoin(Membership, Membership.user_id == User.id)
            .outerjoin(Office, Office.id == Membership.office_id)
            .where(User.id == user_id, User.active.is_(True))
        )
    ).all()
    if not rows:
        return None
    first = rows[0]
    principal = Principal(
        user_id=user_id,
        username=first.username,
        display_name=first.full_name or first.username,
        is_superuser=first.is_superuser,
        roles={row.Office.id: Role(row.role) for row in rows if row.Office is not None},
        language=first.language,
        session_version=first.session_version,
    )
    if principal.is_superuser:
        offices = list(await session.scalars(select(Office)))
    else:
        offices = [row.Office for row in rows if row.Office is not None]
    offices.sort(key=lambda o: (o.name, o.id))
    return principal, offices


async def authenticate_password(session: AsyncSession, username: str, password: str) -> User | None:
    user = await session.scalar(
        select(User)
        .where(User.username == username, User.active.is_(True))
        .options(selectinload(User.memberships))
    )
    if not verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None
    user.last_login_at = utcnow()
    return user


async def authenticate_token(session: AsyncSession, token: str) -> Principal | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = await session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    return await load_principal(session, row.user_id)


async def create_token(session: AsyncSession, user: User, name: str) -> str:
    token = new_token()
    session.add(ApiToken(user_id=user.id, name=name, token_hash=hash_token(token)))
    return token

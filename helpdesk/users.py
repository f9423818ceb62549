"""Creating staff users and their office roles (the `helpdesk user add` verb)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import hash_password
from helpdesk.models import Membership, Office, Role, User

MIN_PASSWORD = 8


class UserError(ValueError):
    pass


async def add_or_update_user(
    session: AsyncSession,
    username: str,
    password: str,
    role: Role,
    office_code: str | None,
    full_name: str = "",
) -> User:
    """Create the user, or update their password and role in that office (idempotent)."""
    username = username.strip().lower()
    if (
        not username
        or len(username) > 80
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise UserError("a user name is letters, digits, '.', '_' or '-' (at most 80)")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    office = None
    if role != Role.superuser or office_code:
        if not office_code:
            raise UserError(f"role {role} needs --office")
        office = await session.scalar(select(Office).where(Office.code == office_code.lower()))
        if office is None:
            raise UserError(f"no office with code {office_code!r} (load the offices file first)")
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, password_hash=hash_password(password))
        session.add(user)
    else:
        user.password_hash = hash_password(password)
    if full_name:
        user.full_name = full_name
    if role == Role.superuser:
        user.is_superuser = True
    await session.flush()
    if office is not None:
        membership = await session.scalar(
            select(Membership).where(
                Membership.user_id == user.id, Membership.office_id == office.id
            )
        )
        if membership is None:
            session.add(Membership(user_id=user.id, office_id=office.id, role=role))
        else:
            membership.role = role
    await session.flush()
    return user

"""Managing staff accounts: what the superuser's user screen and the password page do.

Every change is audited (AuditEvent without a ticket). Sessions are cookies held by the browsers,
so "sign out everywhere" is a version number: a password change or reset bumps
`User.session_version` and every session carrying the old one stops working
(helpdesk.web.deps.session_principal). API tokens are separate credentials for scripts, made on
the command line and shown once: a user's own password change keeps them; deactivating the user
stops them (helpdesk.auth only loads active users), and a reset by a superuser revokes them, as
a reset usually means the account was lost.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk.auth import Principal, hash_password, verify_password
from helpdesk.models import ApiToken, AuditEvent, Membership, Office, Role, User, utcnow
from helpdesk.users import MIN_PASSWORD, UserError, add_or_update_user

MAX_PASSWORD = 1024
OFFICE_ROLES = tuple(r.value for r in Role if r is not Role.superuser)


class StaffError(ValueError):
    """A refused change; `code` names the reason for the screen (a catalogue key suffix)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


def _require_superuser(principal: Principal) -> None:
    if not principal.is_superuser:
        raise PermissionError("superusers only")


def _audit(session: AsyncSession, principal: Principal, action: str, **detail: object) -> None:
    session.add(
        AuditEvent(
            user_id=principal.user_id,
            action=action,
            detail={"by": principal.username, **{k: v for k, v in detail.items() if v is not None}},
        )
    )


def check_new_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError("password_short")
    if len(password) > MAX_PASSWORD:
        raise StaffError("password_long")
    if username and password.strip().lower() == username.strip().lower():
        raise StaffError("password_is_username")


async def list_users(session: AsyncSession) -> list[User]:
    rows = await session.scalars(
        select(User).options(selectinload(User.memberships)).order_by(User.username)
    )
    return list(rows)


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.scalar(
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.memberships))
        .execution_options(populate_existing=True)
    )


async def create_user(
    session: AsyncSession,
    principal: Principal,
    *,
    username: str,
    full_name: str,
    password: str,
    office_code: str | None,
    role: str,
) -> User:
    _require_superuser(principal)
    if role not in {r.value for r in Role}:
        raise StaffError("bad_role")
    check_new_password(password, username)
    taken = await session.scalar(select(User.id).where(User.username == username.strip().lower()))
    if taken is not None:
        raise StaffError("username_taken")
    if role == Role.superuser:
        office_code = None  # a superuser sees every office; no membership role "superuser"
    try:
        user = await add_or_update_user(
            session, username, password, Role(role), office_code or None, full_name.strip()[:200]
        )
    except UserError as exc:
        raise StaffError("bad_user", str(exc)) from exc
    _audit(session, principal, "user.created", user=user.username, role=role, office=office_code)
    await session.flush()
    return user


async def set_active(
    session: AsyncSession, principal: Principal, user_id: int, active: bool
) -> User:
    _require_superuser(principal)
    user = await get_user(session, user_id)
    if user is None:
        raise StaffError("not_found")
    if user.id == principal.user_id and not active:
        raise StaffError("not_yourself")  # the last way back in must not lock itself out
    user.active = active
    if not active:
        user.session_version += 1
    action = "user.activated" if active else "user.deactivated"
    _audit(session, principal, action, user=user.username)
    await session.flush()
    return user


async def set_membership(
    session: AsyncSession, principal: Principal, user_id: int, office_id: int, role: str | None
) -> User:
    """Give the user `role` in the office, or remove them from it (`role` None or "")."""
    _require_superuser(principal)
    user = await get_user(session, user_id)
    office = await session.get(Office, office_id)
    if user is None or office is None:
        raise StaffError("not_found")
    if role and role not in OFFICE_ROLES:
        raise StaffError("bad_role")
    current = next((m for m in user.memberships if m.office_id == office_id), None)
    if not role:
        if current is not None:
            await session.delete(current)
    elif current is None:
        session.add(Membership(user_id=user.id, office_id=office_id, role=role))
    else:
        current.role = role
    _audit(
        session,
        principal,
        "user.membership",
        user=user.username,
        office=office.code,
        role=role or "removed",
    )
    await session.flush()
    return user


async def set_superuser(
    session: AsyncSession, principal: Principal, user_id: int, is_superuser: bool
) -> User:
    _require_superuser(principal)
    user = await get_user(session, user_id)
    if user is None:
        raise StaffError("not_found")
    if user.id == principal.user_id and not is_superuser:
        raise StaffError("not_yourself")
    user.is_superuser = is_superuser
    _audit(session, principal, "user.superuser", user=user.username, superuser=is_superuser)
    await session.flush()
    return user


async def reset_password(
    session: AsyncSession, principal: Principal, user_id: int, password: str
) -> User:
    """A superuser sets a new password: the user's sessions end and their API tokens are
    revoked."""
    _require_superuser(principal)
    user = await get_user(session, user_id)
    if user is None:
        raise StaffError("not_found")
    check_new_password(password, user.username)
    user.password_hash = hash_password(password)
    user.session_version += 1
    await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    _audit(session, principal, "user.password_reset", user=user.username)
    await session.flush()
    return user


async def change_own_password(
    session: AsyncSession, principal: Principal, current: str, new: str, repeated: str
) -> int:
    """The signed-in user changes their password. Returns the new session version, for the
    session that made the change (every other one of theirs ends)."""
    user = await session.get(User, principal.user_id, populate_existing=True)
    if user is None or not user.active:
        raise StaffError("not_found")
    if len(current) > MAX_PASSWORD or not verify_password(user.password_hash, current):
        raise StaffError("wrong_current")
    if new != repeated:
        raise StaffError("mismatch")
    check_new_password(new, user.username)
    if verify_password(user.password_hash, new):
        raise StaffError("same_password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    session.add(AuditEvent(user_id=user.id, action="user.password_changed", detail={}))
    await session.flush()
    return user.session_version

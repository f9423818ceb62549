"""Staff of the seeded offices in every role, as principals and API tokens (`staff`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from helpdesk.auth import Principal, create_token
from helpdesk.db import transaction
from helpdesk.models import Membership, Role, User
from tests.conftest import _password_hash

STAFF = (
    ("admin2_brebes", "brebes", Role.admin),
    ("groupadmin_brebes", "brebes", Role.group_admin),
    ("kasie_brebes", "brebes", Role.kasie),
    ("kabid_tomohon", "tomohon", Role.kabid),
    ("kadis_tomohon", "tomohon", Role.kadis),
)


@dataclass
class Staff:
    principals: dict[str, Principal]
    tokens: dict[str, str]

    def __getitem__(self, username: str) -> Principal:
        return self.principals[username]

    def bearer(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture
async def staff(rt, seed) -> Staff:  # type: ignore[no-untyped-def]
    """The seed's users plus a Group Admin and Kasie in Brebes, a Kabid and Kadis in Tomohon."""
    principals: dict[str, Principal] = {}
    tokens = dict(seed.tokens)
    async with transaction(rt.sessions) as session:
        for username, office, role in STAFF:
            user = User(username=username, full_name=username, password_hash=_password_hash())
            session.add(user)
            await session.flush()
            session.add(Membership(user_id=user.id, office_id=seed.offices[office], role=role))
            seed.users[username] = user.id
            tokens[username] = await create_token(session, user, "tests")
    roles = {
        "admin_brebes": ("brebes", Role.admin),
        "admin_tomohon": ("tomohon", Role.admin),
        "kasie_tomohon": ("tomohon", Role.kasie),
        **{u: (o, r) for u, o, r in STAFF},
    }
    for username, (office, role) in roles.items():
        principals[username] = Principal(
            seed.users[username], username, username, False, {seed.offices[office]: role}
        )
    principals["root"] = Principal(seed.users["root"], "root", "root", True, {})
    return Staff(principals, tokens)

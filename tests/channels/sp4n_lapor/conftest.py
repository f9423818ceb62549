"""The LAPOR simulator on a real port, the helpdesk pointed at it, and Tomohon's LAPOR account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from channels.base import PlatformEndpoints
from channels.sp4n_lapor.simulator import LaporAgency, LaporStore, create_lapor_simulator
from helpdesk.db import transaction
from helpdesk.models import ChannelAccount
from helpdesk.runtime import Runtime
from tests.conftest import Seed
from tests.simulators import serve_app

AGENCY = "pemkot-tomohon-dukcapil"
TOKEN = "lapor-token-tomohon"


@dataclass
class LaporSim:
    base_url: str
    store: LaporStore

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def file(self, body: str = "KTP-el saya belum jadi sejak tiga bulan.", **fields: Any) -> str:
        """A citizen files a report; LAPOR forwards it to the agency at once."""
        response = httpx.post(
            f"{self.base_url}/_sim/reports", json={"agency_id": AGENCY, "body": body, **fields}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["tracking_id"])

    def reply(self, tracking_id: str, body: str, role: str = "pelapor", name: str = "") -> None:
        response = httpx.post(
            f"{self.base_url}/_sim/reports/{tracking_id}/replies",
            json={"role": role, "body": body, "name": name},
        )
        assert response.status_code == 201, response.text

    def faults(self, **values: Any) -> None:
        httpx.post(f"{self.base_url}/_sim/faults", json=values).raise_for_status()


@pytest.fixture
def lapor_sim() -> Iterator[LaporSim]:
    apps: list[Any] = []

    def build(base_url: str) -> Any:
        app = create_lapor_simulator([LaporAgency(AGENCY, TOKEN, "Dukcapil Kota Tomohon")])
        apps.append(app)
        return app

    with serve_app(build) as base_url:
        yield LaporSim(base_url, apps[0].state.lapor)


@pytest.fixture
def endpoints(lapor_sim: LaporSim) -> PlatformEndpoints:
    return PlatformEndpoints(
        graph_api_url="http://127.0.0.1:9/graph/",
        lapor_api_url=lapor_sim.api_url,
        timeout_seconds=5,
    )


@pytest.fixture
async def lapor_account(rt: Runtime, seed: Seed) -> int:
    """Tomohon's LAPOR account (as `helpdesk offices load` would make it)."""
    async with transaction(rt.sessions) as session:
        account = ChannelAccount(
            office_id=seed.offices["tomohon"],
            kind="sp4n_lapor",
            key=AGENCY,
            label="SP4N-LAPOR! Tomohon",
            config={"agency_id": AGENCY, "api_token": TOKEN},
        )
        session.add(account)
        await session.flush()
        return account.id

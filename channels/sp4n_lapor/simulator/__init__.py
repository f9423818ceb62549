"""A stand-in for LAPOR's integration API (our assumed contract, README.md), for tests and the
demo, with a page to file a report as a citizen and have LAPOR forward it to the agency."""

from channels.sp4n_lapor.simulator.app import create_lapor_simulator
from channels.sp4n_lapor.simulator.store import LaporAgency, LaporStore

__all__ = ["LaporAgency", "LaporStore", "create_lapor_simulator"]

"""The channel registry names its adapters and imports each on first use: every line resolves
to the adapter of its kind, and a process that asks for one kind loads no other platform."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from channels.base import ChannelAdapter, PlatformEndpoints
from channels.registry import ADAPTERS, REGISTERED, build_adapters

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = PlatformEndpoints(
    graph_api_url="http://127.0.0.1:9/graph/", lapor_api_url="http://127.0.0.1:9/lapor/"
)


@pytest.mark.parametrize("kind", sorted(REGISTERED))
def test_each_line_names_the_adapter_of_its_kind(kind: str) -> None:
    adapter = ADAPTERS[kind]
    assert issubclass(adapter, ChannelAdapter)
    assert adapter.kind == kind


def test_unknown_kinds_are_missing_not_errors() -> None:
    assert ADAPTERS.get("fax") is None
    assert "fax" not in ADAPTERS
    assert "email" in ADAPTERS
    with pytest.raises(KeyError):
        build_adapters(ENDPOINTS)["fax"]


def test_the_runtime_adapters_are_built_once_each() -> None:
    adapters = build_adapters(ENDPOINTS)
    assert adapters["email"] is adapters["email"]
    assert isinstance(adapters["email"], ADAPTERS["email"])
    assert sorted(adapters) == sorted(REGISTERED)
    assert {kind: type(a) for kind, a in adapters.items()} == dict(ADAPTERS.items())


def loaded_after(code: str) -> set[str]:
    """The `channels.*` modules a fresh interpreter has loaded after running `code`."""
    listing = "print('\\n'.join(m for m in sys.modules if m.startswith('channels')))"
    script = f"{code}\nimport sys\n{listing}"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return set(out.stdout.split())


def test_asking_for_one_kind_loads_no_other_platform() -> None:
    loaded = loaded_after(
        "from channels.base import PlatformEndpoints\n"
        "from channels.registry import build_adapters\n"
        "adapters = build_adapters(PlatformEndpoints(graph_api_url='http://h/', "
        "lapor_api_url='http://h/'))\n"
        "assert 'email' in adapters and len(adapters) > 1\n"
        "adapters['email']"
    )
    assert "channels.email.adapter" in loaded
    platforms = {m.split(".")[1] for m in loaded if m.count(".") >= 1}
    assert platforms <= {"base", "registry", "email"}, platforms


def test_the_worker_loads_no_adapter_before_it_needs_one() -> None:
    loaded = loaded_after("import helpdesk.cli, helpdesk.jobs.worker")
    assert not {m for m in loaded if m.endswith(".adapter")}, loaded

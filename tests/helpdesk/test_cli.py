"""The `helpdesk` command: load offices, add users, create tokens, as an operator would."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.cli import main
from tests.conftest import OFFICES_TOML, SECRET_KEY

HELPDESK = str(Path(sys.executable).with_name("helpdesk"))


@pytest.fixture
def run(settings):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "HELPDESK_DATABASE_URL": settings.database_url,
        "HELPDESK_DATA_DIR": str(settings.data_dir),
        "HELPDESK_SECRET_KEY": SECRET_KEY,
    }

    def _run(
        *args: str, password: str | None = None, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        run_env = {**env, **({"HELPDESK_PASSWORD": password} if password else {})}
        return subprocess.run(
            [HELPDESK, *args], env=run_env, input=stdin, capture_output=True, text=True, timeout=60
        )

    return _run


def test_every_verb_has_help():
    for verb in (
        ["serve"],
        ["worker"],
        ["db", "upgrade"],
        ["offices", "load"],
        ["user", "add"],
        ["token", "create"],
        ["demo"],
        ["demo", "send"],
    ):
        result = subprocess.run(
            [HELPDESK, *verb, "--help"], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0 and "usage: helpdesk" in result.stdout


async def test_an_operator_sets_up_an_office_a_user_and_a_token(run, tmp_path, client, rt):
    offices = tmp_path / "offices.toml"
    offices.write_text(OFFICES_TOML)
    assert run("db", "upgrade").returncode == 0
    loaded = run("offices", "load", str(offices))
    assert loaded.returncode == 0 and "brebes" in loaded.stdout
    assert run("offices", "load", str(offices)).returncode == 0  # idempotent

    added = run(
        "user",
        "add",
        "siti",
        "--office",
        "brebes",
        "--role",
        "admin",
        "--full-name",
        "Siti Admin",
        password="kata-sandi-panjang",
    )
    assert added.returncode == 0, added.stderr
    from_stdin = run(
        "user", "add", "budi", "--office", "tomohon", "--role", "kasie", stdin="kata-sandi-budi\n"
    )
    assert from_stdin.returncode == 0, from_stdin.stderr

    created = run("token", "create", "siti")
    assert created.returncode == 0
    token = created.stdout.strip().splitlines()[-1]
    response = await client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


MISTAKES = [
    (["user", "add", "x", "--role", "admin"], "kata-sandi-panjang", "needs --office"),
    (
        ["user", "add", "x", "--office", "nowhere", "--role", "admin"],
        "kata-sandi-panjang",
        "no office",
    ),
    (["user", "add", "x", "--office", "brebes", "--role", "admin"], "pendek", "at least 8"),
    (["token", "create", "nobody"], None, "no user"),
]


def test_mistakes_get_a_clear_message_and_a_failing_exit(run, tmp_path):
    offices = tmp_path / "offices.toml"
    offices.write_text(OFFICES_TOML)
    run("offices", "load", str(offices))
    for args, password, message in MISTAKES:
        result = run(*args, password=password)
        assert result.returncode != 0, args
        assert message in result.stderr, (args, result.stderr)


def test_a_broken_offices_file_is_refused(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[office]]\ncode = "x"\n')
    result = run("offices", "load", str(bad))
    assert result.returncode == 1 and "`name` is required" in result.stderr


def test_a_command_gives_the_garbage_collector_back_as_it_found_it(tmp_path):
    # `main` runs a command with the collector off (a server turns it on once it has started,
    # helpdesk.runtime.settle_heap); whoever called it in-process gets their setting back.
    bad = tmp_path / "bad.toml"
    bad.write_text('[[office]]\ncode = "x"\n')
    try:
        for collecting in (True, False):
            (gc.enable if collecting else gc.disable)()
            assert main(["offices", "load", str(bad)]) == 1
            assert gc.isenabled() is collecting
    finally:
        gc.enable()


def test_a_full_load_says_which_accounts_it_deactivates_and_a_partial_one_none(run, tmp_path):
    offices = tmp_path / "offices.toml"
    offices.write_text(OFFICES_TOML)
    assert run("db", "upgrade").returncode == 0
    assert run("offices", "load", str(offices)).returncode == 0
    # Tomohon without its WhatsApp number.
    without = tmp_path / "tomohon.toml"
    without.write_text(
        '[[office]]\ncode = "tomohon"\nname = "Dukcapil Kota Tomohon"\nsop = "tomohon"\n'
    )
    partial = run("offices", "load", "--partial", str(without))
    assert partial.returncode == 0 and "deactivated" not in partial.stdout
    full = run("offices", "load", str(without))
    assert full.returncode == 0, full.stderr
    assert "deactivated: tomohon whatsapp 109876543211 (not in the file)" in full.stdout
    assert "brebes" not in full.stdout  # an office the file does not list is left alone

"""An office's `sop` names a shipped profile or a file; a wrong one is refused at `offices load`."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.cli import main
from helpdesk.offices import OfficesFileError, load_offices_file, parse_offices

OFFICE = """
[[office]]
code = "{code}"
name = "Disdukcapil"
{extra}
"""


def test_a_shipped_profile_is_kept_by_name_and_an_office_code_picks_its_own():
    [named, by_code, other] = parse_offices(
        OFFICE.format(code="a", extra='sop = "tanggamus"')
        + OFFICE.format(code="waykanan", extra="")
        + OFFICE.format(code="jayapura", extra="")
    )
    assert (named.sop, by_code.sop, other.sop) == ("tanggamus", "waykanan", "default")


def test_an_unknown_profile_is_refused_naming_the_office():
    with pytest.raises(OfficesFileError, match="office 'x': unknown SOP profile 'brebess'"):
        parse_offices(OFFICE.format(code="x", extra='sop = "brebess"'))


def test_an_offices_own_profile_is_found_next_to_the_offices_file(tmp_path: Path):
    (tmp_path / "sop").mkdir()
    own = (Path(__file__).parents[3] / "helpdesk" / "sops" / "tomohon.toml").read_text()
    (tmp_path / "sop" / "kantor.toml").write_text(own)
    offices = tmp_path / "offices.toml"
    offices.write_text(OFFICE.format(code="x", extra='sop = "sop/kantor.toml"'))
    [spec] = load_offices_file(offices)
    assert spec.sop == str((tmp_path / "sop" / "kantor.toml").resolve())


def test_a_broken_own_profile_stops_offices_load_with_the_reason(tmp_path: Path, capsys):
    (tmp_path / "rusak.toml").write_text(
        'deadline = "1 hari kerja"\n[[step]]\nid = "a"\nrole = "lurah"\n'
    )
    offices = tmp_path / "offices.toml"
    offices.write_text(OFFICE.format(code="x", extra='sop = "rusak.toml"'))
    assert main(["offices", "load", str(offices)]) == 1
    assert "rusak.toml: step 'a': unknown role 'lurah'" in capsys.readouterr().err


def test_working_hours_and_local_holidays_go_into_the_office_settings():
    [spec] = parse_offices(
        OFFICE.format(
            code="x",
            extra="holidays = [2026-09-12]\n"
            'working_hours = { mon = "08:00-14:00", fri = "08:00-11:00" }',
        )
    )
    assert spec.settings == {
        "working_hours": {"mon": "08:00-14:00", "fri": "08:00-11:00"},
        "holidays": ["2026-09-12"],
    }
    with pytest.raises(OfficesFileError, match="working_hours"):
        parse_offices(OFFICE.format(code="x", extra='working_hours = { mon = "late" }'))

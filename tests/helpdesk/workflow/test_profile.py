"""SOP profiles: the shipped ones encode their seeds; a wrong one is refused, naming the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.workflow.profile import (
    Duration,
    ProfileError,
    load_profile,
    parse_profile,
    shipped_names,
)

GOOD = """
name = "mini"
deadline = "1 hari kerja"

[[step]]
id = "terima"
role = "admin"
time = "15 menit"

  [[step.action]]
  name = "jawab"
  kind = "reply"
  to = "selesai"

[[step]]
id = "selesai"
status = "closed"
"""


def minutes(profile, *steps):  # type: ignore[no-untyped-def]
    return [profile.steps[s].time.minutes for s in steps]


def test_every_shipped_profile_loads():
    assert set(shipped_names()) == {
        "brebes",
        "default",
        "sukamara",
        "tanggamus",
        "tomohon",
        "waykanan",
    }
    for name in shipped_names():
        profile = load_profile(name)
        assert profile.steps and profile.deadline.unit == "days"


def test_brebes_admin_answers_or_consults_and_forwards_within_3_working_days():
    brebes = load_profile("brebes")
    assert brebes.deadline == Duration(3, "days")
    admin = brebes.steps["admin"]
    assert admin.roles == ("admin",)
    assert {a.name: a.kind for a in admin.actions} == {
        "jawab": "reply",
        "konsultasi": "consult",
        "kembalikan": "return",
    }
    assert brebes.steps["group_admin"].roles == ("group_admin", "pejabat_teknis")
    assert brebes.steps["rekap"].time == Duration(30, "minutes")


def test_tomohon_kasie_answers_or_escalates_kabid_decides_in_one_day():
    tomohon = load_profile("tomohon")
    assert tomohon.deadline == Duration(1, "days")
    assert [a.name for a in tomohon.steps["kasie"].actions] == ["jawab", "eskalasi", "kembalikan"]
    decide = tomohon.steps["kabid"].action("putuskan")
    assert decide.kind == "decide"
    assert decide.outcomes == {
        "answer": "selesai",
        "follow_up": "tindak_lanjut",
        "forward": "kadis",
        "reject": "selesai",
    }
    [escalate] = [r for r in tomohon.steps["kasie"].on_overdue if r.do == "escalate"]
    assert escalate.to == "kabid"


def test_sukamara_has_an_online_and_a_face_to_face_variant_with_its_minutes():
    sukamara = load_profile("sukamara")
    assert sukamara.start_step("whatsapp").id == "online_catat"
    assert sukamara.start_step("counter").id == "tm_verifikasi"
    assert minutes(sukamara, "online_catat", "verifikasi", "online_solusi") == [15, 15, 15]
    assert minutes(sukamara, "online_pejabat", "online_sampaikan") == [10, 10]
    assert minutes(sukamara, "tm_verifikasi", "tm_catat", "tm_jawab", "tm_sampaikan") == [15] * 4
    assert sukamara.steps["online_tim"].time == Duration(2, "days")  # Tim Penjawab Aduan
    assert sukamara.deadline == Duration(2, "days")
    assert sukamara.steps["verifikasi"].roles == ("cs",)


@pytest.mark.parametrize(
    ("first", "steps", "step_minutes", "requirements"),
    [
        (
            "kk_berkas",
            [
                "kk_berkas",
                "kk_input",
                "kk_koreksi",
                "kk_validasi",
                "kk_sertifikasi",
                "kk_arsip",
                "kk_kabari",
            ],
            [5, 10, 5, 5, 5, 10, 5],
            ["Formulir permohonan penerbitan KK Baru", "Persyaratan penerbitan KK Baru"],
        ),
        (
            "pindah_berkas",
            [
                "pindah_berkas",
                "pindah_ketik",
                "pindah_koreksi_kasi",
                "pindah_verifikasi_kabid",
                "pindah_ttd",
                "pindah_arsip",
                "pindah_kabari",
            ],
            [5, 10, 5, 5, 5, 10, 5],
            ["Formulir F-1.03 yang sudah diisi", "KK asli atau surat keterangan kehilangan"],
        ),
        (
            "ktp_berkas",
            ["ktp_berkas", "ktp_rekam", "ktp_cocokkan", "ktp_kirim"],
            [5, 10, 5, 5],
            ["Fotokopi KK", "KTP Elektronik lama", "Surat Keterangan Kehilangan dari Kepolisian"],
        ),
        (
            "kia_berkas",
            [
                "kia_berkas",
                "kia_verifikasi_petugas",
                "kia_verifikasi_kasi",
                "kia_cetak",
                "kia_serahkan",
            ],
            [2, 5, 10, 10, 2],
            [
                "Fotokopi KK",
                "Foto Akta Kelahiran",
                "Fotokopi KTP orang tua",
                "Pas foto 3x4 (anak umur di atas 5 tahun)",
            ],
        ),
    ],
)
def test_way_kanan_document_requests_carry_the_seeds_checklists_and_minutes(
    first, steps, step_minutes, requirements
):
    waykanan = load_profile("waykanan")
    assert minutes(waykanan, *steps) == step_minutes
    assert list(waykanan.steps[first].requirements) == requirements
    starts = [a for a in waykanan.steps["terima"].actions if a.to == first]
    assert starts and starts[0].set_kind == "permohonan"


def test_way_kanan_birth_and_death_certificates_take_80_minutes_with_kadis_signing():
    waykanan = load_profile("waykanan")
    for prefix in ("lahir", "mati"):
        steps = [s for s in waykanan.steps.values() if s.id.startswith(prefix + "_")]
        assert sum(s.time.minutes for s in steps) == 80 - 10  # row 1 is the citizen sending
        assert waykanan.steps[f"{prefix}_ttd_kadis"].roles == ("kadis",)
    assert waykanan.deadline == Duration(1, "days")


def test_tanggamus_records_kasi_verification_and_the_kadis_e_signature():
    tanggamus = load_profile("tanggamus")
    assert tanggamus.kind == "permohonan"
    assert tanggamus.steps["verifikasi_kasi"].action("setujui").kind == "decide"
    sign = tanggamus.steps["tte_kadis"].action("tandatangani_tte")
    assert tanggamus.steps["tte_kadis"].roles == ("kadis",)
    assert [f.name for f in sign.fields if f.required] == ["reference"]
    assert [f.name for f in tanggamus.steps["pilah_berkas"].action("dipilah").fields] == [
        "kecamatan"
    ]
    assert tanggamus.start_step("phone").id == "call_center"


def refused(text: str, tmp_path: Path, name: str = "kantor.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    return str(info.value)


def test_a_good_profile_loads_from_a_path(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(GOOD)
    assert load_profile(str(path)).name == "mini"


def test_a_profile_with_an_unreachable_step_is_refused_naming_the_file_and_the_step(tmp_path):
    text = (
        GOOD
        + '\n[[step]]\nid = "lupa"\nrole = "kasie"\ntime = "5 menit"\n'
        + ('  [[step.action]]\n  name = "x"\n  to = "selesai"\n')
    )
    assert refused(text, tmp_path) == (
        "kantor.toml: step 'lupa': unreachable: no action leads to it from the start"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('role = "admin"', 'role = "lurah"'), "step 'terima': unknown role 'lurah'"),
        (('time = "15 menit"\n', ""), "step 'terima': missing time standard (Mutu Baku)"),
        (('to = "selesai"', 'to = "arsip"'), "step 'terima': action 'jawab' leads to unknown step"),
        (('time = "15 menit"', 'time = "sebentar"'), "step 'terima': time 'sebentar' is not"),
        (('kind = "reply"', 'kind = "teleport"'), "step 'terima': action 'jawab': unknown kind"),
        (('deadline = "1 hari kerja"\n', ""), "kantor.toml: missing the overall `deadline`"),
        (('kind = "reply"', 'kind = "return"'), "step 'terima': a `return` action needs"),
        (
            (
                'status = "closed"',
                'status = "closed"\nrole = "admin"\n[[step.action]]\nname = "a"\nto = "terima"',
            ),
            "step 'selesai': a closed step cannot have actions",
        ),
        (
            ('kind = "reply"', 'kind = "decide"\noutcomes = { answer = "selesai" }'),
            "decisions are taken by kasie, kabid, kadis, not admin",
        ),
        (('name = "jawab"', 'name = "jawab"\nfields = ["nik"]'), "unknown field 'nik'"),
        (('[[step]]\nid = "selesai"', '[[step]]\nid = "terima"'), "step 'terima': appears twice"),
        (("[[step.action]]", "[[step.actoin]]"), "step 'terima': step: unknown key(s) actoin"),
        (
            ('deadline = "1 hari kerja"', 'deadline = "1 hari kerja"\nstart = "mulai"'),
            "`start` names unknown step 'mulai'",
        ),
        (("[[step]]", "[step"), "kantor.toml: not valid TOML"),
    ],
)
def test_a_wrong_profile_is_refused_with_the_file_the_step_and_the_reason(
    change, message, tmp_path
):
    text = GOOD.replace(*change, 1)
    assert text != GOOD
    assert message in refused(text, tmp_path)


def test_an_unknown_profile_name_is_a_clear_error():
    with pytest.raises(ProfileError, match=r"unknown SOP profile 'jayapura'.*brebes, default"):
        load_profile("jayapura")


def test_parse_profile_needs_no_file():
    assert parse_profile(GOOD, Path("inline.toml")).steps["terima"].time == Duration(15, "minutes")

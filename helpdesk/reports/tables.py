"""One report as titled tables: what the XLSX sheets and the PDF print alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Table:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _minutes(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 60:
        return f"{value:.0f} menit"
    if value < 24 * 60:
        return f"{value / 60:.1f} jam"
    return f"{value / 1440:.1f} hari"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _signed(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:+g}{unit}"


def title_of(report: dict[str, Any]) -> str:
    what = "Rekap Harian" if report["kind"] == "daily" else "Laporan Bulanan"
    return f"{what} Pengaduan — {report['period']['label']}"


def office_header(report: dict[str, Any]) -> str:
    offices = report["offices"]
    if len(offices) == 1:
        return offices[0]["name"]
    return "Semua kantor: " + ", ".join(o["name"] for o in offices)


def tables(report: dict[str, Any]) -> list[Table]:
    totals, first, resolution = report["totals"], report["first_response"], report["resolution"]
    sop = report["sop_overall"]
    found = [
        Table(
            "Ringkasan",
            ("Ukuran", "Nilai"),
            (
                ("Pengaduan masuk", totals["tickets"]),
                ("Selesai", totals["resolved"]),
                ("Belum selesai", totals["unresolved"]),
                ("Sudah dijawab", totals["answered"]),
                ("Melewati batas waktu (saat ini)", totals["overdue_now"]),
                ("Waktu respons pertama, median", _minutes(first["median_minutes"])),
                ("Waktu respons pertama, p90", _minutes(first["p90_minutes"])),
                ("Waktu penyelesaian, median", _minutes(resolution["median_minutes"])),
                ("Waktu penyelesaian, p90", _minutes(resolution["p90_minutes"])),
                ("Kepatuhan SOP (langkah tepat waktu)", _pct(sop["share_met"])),
            ),
        )
    ]
    for key, title in (
        ("by_channel", "Menurut kanal"),
        ("by_category", "Menurut kategori"),
        ("by_status", "Menurut status"),
        ("by_step", "Menurut langkah SOP"),
        ("by_unit", "Menurut unit"),
    ):
        found.append(Table(title, ("", "Jumlah"), [(r["label"], r["count"]) for r in report[key]]))
    found.append(
        Table(
            "Kepatuhan SOP per langkah (Mutu Baku)",
            ("Langkah", "Standar", "Tepat", "Terlambat", "Berjalan", "% tepat", "Terlambat: nomor"),
            [
                (
                    s["label"],
                    s["standard"],
                    s["met"],
                    s["missed"],
                    s["pending"],
                    _pct(s["share_met"]),
                    ", ".join(s["missed_tickets"]),
                )
                for s in report["sop_compliance"]
            ],
        )
    )
    found.append(
        Table(
            "Tindak lanjut tenggat platform (SP4N-LAPOR)",
            ("Tenggat", "Tepat", "Terlambat", "Berjalan", "% tepat"),
            [
                (c["label"], c["met"], c["missed"], c["pending"], _pct(c["share_met"]))
                for c in report.get("platform_deadlines", ())
            ],
        )
    )
    found.append(
        Table(
            "Eskalasi menurut pejabat/petugas",
            ("Oleh", "Jumlah"),
            [(e["official"], e["count"]) for e in report["escalations"]],
        )
    )
    found.append(
        Table(
            "Keputusan menurut pejabat",
            ("Pejabat", "Jabatan", "Keputusan", "Jumlah"),
            [
                (d["official"], d["role"], d["outcome_label"], d["count"])
                for d in report["decisions"]
            ],
        )
    )
    if "trend" in report:
        trend, before = report["trend"], report["previous"]["period"]["label"]
        found.append(
            Table(
                f"Dibandingkan periode sebelumnya ({before})",
                ("Ukuran", "Sekarang", "Sebelumnya", "Perubahan"),
                (
                    _trend_row("Pengaduan masuk", trend["tickets"]),
                    _trend_row("Selesai", trend["resolved"]),
                    _trend_row(
                        "Respons pertama, median (menit)", trend["first_response_median_minutes"]
                    ),
                    _trend_row("Penyelesaian, median (menit)", trend["resolution_median_minutes"]),
                    _trend_row("Kepatuhan SOP (%)", trend["sop_share_met"]),
                ),
            )
        )
    if report.get("by_day"):
        found.append(
            Table(
                "Per hari",
                ("Tanggal", "Masuk", "Sudah selesai"),
                [(d["day"], d["count"], d["resolved"]) for d in report["by_day"]],
            )
        )
    return found


def _trend_row(label: str, change: dict[str, Any]) -> tuple[Any, ...]:
    pct = change["change_pct"]
    text = _signed(change["change"]) + (f" ({pct:+.1f}%)" if pct is not None else "")
    return (
        label,
        "—" if change["now"] is None else change["now"],
        "—" if change["before"] is None else change["before"],
        text,
    )

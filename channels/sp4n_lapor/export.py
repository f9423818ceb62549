"""Reports brought in without the API: the LAPOR portal's export file, or one pasted by hand.

The export format is our assumption of what the portal's "Unduh" gives (README.md, "Export
format"): CSV (UTF-8, comma or semicolon) or XLSX, one header row, one report per row. Every
file is hostile until checked: size and row limits, UTF-8 only, no formulas (a cell starting
with = + @ or a dash glued to text would run when someone opens our own exports in a
spreadsheet), a well-formed tracking ID, dates and a text. A bad row is reported with its
number and reason and skipped; the good rows still come in.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone

from channels.base import ImportBatch, ImportedItem, ImportProblem
from channels.sp4n_lapor.types import MAX_TEXT, REPORT_KINDS, Report, Reporter, report_document

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = MAX_TEXT
WIB = timezone(timedelta(hours=7))  # the portal exports Jakarta time, without a zone
TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")
FORMULA = re.compile(r"^(?:[=+@\t\r]|-[^\s-])")
YES = {"ya", "y", "yes", "1", "true"}
NO = {"tidak", "t", "no", "n", "0", "false", ""}

COLUMNS = {
    "nomor tracking": "tracking_id",
    "tanggal laporan": "submitted_at",
    "tanggal disposisi": "forwarded_at",
    "judul": "title",
    "isi laporan": "content",
    "kategori": "category",
    "jenis": "kind",
    "status": "status",
    "anonim": "anonymous",
    "rahasia": "confidential",
    "nama pelapor": "name",
    "telepon pelapor": "phone",
    "email pelapor": "email",
}
REQUIRED = ("tracking_id", "forwarded_at", "content")


class RowError(ValueError):
    pass


def read_export(account_key: str, data: bytes, filename: str) -> ImportBatch:
    if not data:
        return _whole("the file is empty")
    if len(data) > MAX_FILE_BYTES:
        return _whole(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
            rows = list(_xlsx_rows(data))
        else:
            rows = list(_csv_rows(data))
    except RowError as exc:
        return _whole(str(exc))
    if not rows:
        return _whole("the file has no header row")
    header = [COLUMNS.get(str(h or "").strip().lower()) for h in rows[0]]
    missing = [name for name, key in COLUMNS.items() if key in REQUIRED and key not in header]
    if missing:
        return _whole(f"missing column(s): {', '.join(missing)}")
    if len(rows) - 1 > MAX_ROWS:
        return _whole(f"more than {MAX_ROWS} rows: split the export")
    items: list[ImportedItem] = []
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c or "").strip() for c in row):
            continue
        values = {
            key: str(row[i] or "").strip() for i, key in enumerate(header) if key and i < len(row)
        }
        try:
            report = _report(values)
        except RowError as exc:
            problems.append(ImportProblem(number, str(exc)))
            continue
        if report.tracking_id in seen:
            problems.append(
                ImportProblem(number, f"{report.tracking_id} appears twice in the file")
            )
            continue
        seen.add(report.tracking_id)
        items.append(
            ImportedItem(report.tracking_id, report_document(report, account_key, "export"))
        )
    return ImportBatch(tuple(items), tuple(problems))


def read_pasted(account_key: str, ref: str, text: str, fields: Mapping[str, str]) -> ImportBatch:
    values = {
        "tracking_id": ref.strip(),
        "content": text.strip(),
        "title": fields.get("title", "").strip(),
        "forwarded_at": fields.get("forwarded_at", "").strip()
        or datetime.now(WIB).strftime("%Y-%m-%d %H:%M"),
        "anonymous": fields.get("anonymous", ""),
        "confidential": fields.get("confidential", ""),
        "name": fields.get("name", "").strip(),
    }
    try:
        report = _report(values, checked_formulas=False)
    except RowError as exc:
        return _whole(str(exc))
    return ImportBatch(
        (ImportedItem(report.tracking_id, report_document(report, account_key, "paste")),)
    )


def _whole(reason: str) -> ImportBatch:
    return ImportBatch(problems=(ImportProblem(0, reason),))


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RowError(f"the file is not UTF-8 (byte {exc.start}): export it as CSV UTF-8") from exc
    if "\x00" in text:
        raise RowError("the file holds NUL bytes: not a CSV export")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    csv.field_size_limit(MAX_CELL * 4)
    try:
        for count, row in enumerate(reader):
            if count > MAX_ROWS + 1:
                raise RowError(f"more than {MAX_ROWS} rows: split the export")
            yield row
    except csv.Error as exc:
        raise RowError(f"not a readable CSV file: {exc}") from exc


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    import openpyxl  # only for spreadsheets

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise RowError("the spreadsheet unpacks to more than 50 MB")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except RowError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise RowError(f"not a readable XLSX file: {type(exc).__name__}") from exc
    try:
        sheet = book.worksheets[0]
        for count, row in enumerate(sheet.iter_rows()):
            if count > MAX_ROWS + 1:
                raise RowError(f"more than {MAX_ROWS} rows: split the export")
            cells = []
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    value = "=" + str(value).lstrip("=")  # refused as a formula below
                elif isinstance(value, datetime):
                    value = value.strftime("%Y-%m-%d %H:%M")
                cells.append("" if value is None else str(value))
            yield cells
    finally:
        book.close()


def _report(values: Mapping[str, str], checked_formulas: bool = True) -> Report:
    if checked_formulas:
        for key, value in values.items():
            if FORMULA.match(value):
                raise RowError(f"column {_column(key)} starts like a formula: not imported")
    for key, value in values.items():
        if len(value) > MAX_CELL:
            raise RowError(f"column {_column(key)} is longer than {MAX_CELL} characters")
        if "\x00" in value:
            raise RowError(f"column {_column(key)} holds a NUL byte")
    tracking = values.get("tracking_id", "")
    if not TRACKING.match(tracking):
        raise RowError(f"{tracking[:40]!r} is not a LAPOR tracking ID")
    content = values.get("content", "")
    if not content:
        raise RowError("the report text (Isi Laporan) is empty")
    forwarded = _date(values.get("forwarded_at", ""), "Tanggal Disposisi")
    submitted = (
        _date(values["submitted_at"], "Tanggal Laporan")
        if values.get("submitted_at")
        else forwarded
    )
    kind = values.get("kind", "").lower().replace(" ", "_") or "pengaduan"
    if kind not in REPORT_KINDS:
        raise RowError(f"Jenis {kind!r} is not one of {', '.join(REPORT_KINDS)}")
    anonymous = _flag(values.get("anonymous", ""), "Anonim")
    name = values.get("name", "")
    reporter = None
    if not anonymous and (name or values.get("phone") or values.get("email")):
        reporter = Reporter(
            reporter_id=f"{tracking}",
            name=name[:200],
            phone=values.get("phone") or None,
            email=values.get("email") or None,
        )
    return Report(
        tracking_id=tracking,
        title=values.get("title", "")[:200],
        content=content,
        kind=kind,
        category=values.get("category", "")[:120],
        status=values.get("status", "")[:40],
        submitted_at=submitted,
        forwarded_at=forwarded,
        anonymous=anonymous,
        confidential=_flag(values.get("confidential", ""), "Rahasia"),
        reporter=reporter,
    )


def _date(value: str, column: str) -> datetime:
    for pattern in (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y",
    ):
        try:
            at = datetime.strptime(value, pattern).replace(tzinfo=WIB)
        except ValueError:
            continue
        if at > datetime.now(UTC) + timedelta(days=1) or at.year < 2000:
            raise RowError(f"{column} {value!r} is out of range")
        return at
    raise RowError(f"{column} {value[:40]!r} is not a date (YYYY-MM-DD HH:MM or DD/MM/YYYY)")


def _flag(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise RowError(f"{column} must be Ya or Tidak, not {value[:20]!r}")


def _column(key: str) -> str:
    return next((name.title() for name, k in COLUMNS.items() if k == key), key)

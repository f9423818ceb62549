"""What the mirror writes into a staff group (Bahasa Indonesia: the offices' working language).

Only what the group needs: the register number, the category, the question. Every text goes
through `personal_data.mask`, so a NIK or KK number never leaves the inbox in full.
"""

from __future__ import annotations

from helpdesk.personal_data import mask

MAX_POST = 4000  # Telegram's 4096, with room for the header
CATEGORY_LABELS = {
    "ktp_el": "KTP-el",
    "kk": "Kartu Keluarga (KK)",
    "kia": "Kartu Identitas Anak (KIA)",
    "akta_kelahiran": "Akta Kelahiran",
    "akta_kematian": "Akta Kematian",
    "pindah": "Pindah / SKPWNI",
    "other": "Lainnya",
}


def _clip(text: str, limit: int = MAX_POST) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def topic_title(register_no: str, category: str) -> str:
    return f"{register_no} · {CATEGORY_LABELS.get(category, category)}"


def summary(register_no: str, category: str, step: str, question: str) -> str:
    return _clip(
        f"Konsultasi tiket {register_no}\n"
        f"Kategori: {CATEGORY_LABELS.get(category, category)}\n"
        f"Langkah: {step}\n\n"
        f"Pertanyaan:\n{mask(question)}\n\n"
        "Balas di sini untuk menjawab (anggota yang akunnya tertaut ke inbox). "
        f"Perintah: /jawab <teks>, /status {register_no}"
    )


def note(register_no: str, author: str, body: str) -> str:
    return _clip(f"[{register_no}] {author}:\n{mask(body)}")


def status(register_no: str, status: str, step: str, due: str | None, assignee: str | None) -> str:
    lines = [f"Status {register_no}: {status}", f"Langkah: {step}"]
    if due:
        lines.append(f"Batas waktu: {due}")
    lines.append(f"Petugas: {assignee or '-'}")
    return "\n".join(lines)

"""What the display board says, in Indonesian (default) and English."""
from __future__ import annotations

import re

WORDS = {
    "now_calling": {"id": "Nomor antrian", "en": "Now calling"},
    "go_to": {"id": "Silakan menuju {counter}", "en": "Please go to {counter}"},
    "counters": {"id": "Loket", "en": "Counters"},
    "history": {"id": "Panggilan sebelumnya", "en": "Previous calls"},
    "waiting": {"id": "Menunggu", "en": "Waiting"},
    "closed": {"id": "Tutup", "en": "Closed"},
    "no_call": {"id": "Belum ada panggilan", "en": "No calls yet"},
    "no_history": {"id": "Belum ada panggilan sebelumnya", "en": "No earlier calls"},
    "idle_tile": {"id": "—", "en": "—"},
    "priority": {"id": "Prioritas", "en": "Priority"},
    "connecting": {"id": "Menghubungkan ke kiosk…", "en": "Connecting to the kiosk…"},
    "lost": {"id": "Koneksi terputus · {ago}", "en": "Connection lost · {ago}"},
    "never": {"id": "belum pernah terhubung", "en": "never connected"},
    "seconds_ago": {"id": "{n} detik lalu", "en": "{n} s ago"},
    "minutes_ago": {"id": "{n} menit lalu", "en": "{n} min ago"},
    "hours_ago": {"id": "{n} jam lalu", "en": "{n} h ago"},
}

DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}

_LABEL = re.compile(r"^([A-Z])-?0*(\d{1,6})$")


def word(key: str, language: str, **values: object) -> str:
    """The board text ``key`` in ``language`` (Indonesian when unknown)."""
    forms = WORDS[key]
    return forms.get(language, forms["id"]).format(**values)


def ago(seconds: float, language: str) -> str:
    """'42 detik lalu' / '3 min ago'."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return word("seconds_ago", language, n=seconds)
    if seconds < 3600:
        return word("minutes_ago", language, n=seconds // 60)
    return word("hours_ago", language, n=seconds // 3600)


def split_label(label: str) -> tuple[str, int] | None:
    """'A-012' -> ('A', 12); None for anything else."""
    m = _LABEL.match(label.strip().upper())
    return (m.group(1), int(m.group(2))) if m else None

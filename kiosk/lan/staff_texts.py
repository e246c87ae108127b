"""Texts of the staff page, Indonesian (default) and English.

The page's script receives the whole table of its language, so every word
the officer reads is here, and the refusals of kiosk.core.errors.
OperationRefused are worded from their reason code and values.
"""

TEXTS = {
    "title": {"id": "Halaman Petugas", "en": "Staff page"},
    "choose_counter": {"id": "Pilih loket", "en": "Choose your counter"},
    "no_counters": {"id": "Belum ada loket dengan PIN. Teknisi: lihat TECHNICIAN.md, \"Halaman petugas\".",
                    "en": "No counter has a PIN yet. Technician: see TECHNICIAN.md, \"Staff page\"."},
    "pin": {"id": "PIN", "en": "PIN"},
    "login": {"id": "Masuk", "en": "Log in"},
    "logout": {"id": "Keluar", "en": "Log out"},
    "clear": {"id": "Hapus", "en": "Clear"},
    "wrong_pin": {"id": "PIN salah. Sisa percobaan: {left}.", "en": "Wrong PIN. Tries left: {left}."},
    "locked": {"id": "Terlalu banyak PIN salah. Coba lagi setelah pukul {time}.",
               "en": "Too many wrong PINs. Try again after {time}."},
    "no_pin": {"id": "Loket ini belum punya PIN; hubungi teknisi.",
               "en": "This counter has no PIN yet; ask the technician."},
    "expired": {"id": "Sesi berakhir. Silakan masuk lagi.", "en": "Session ended. Please log in again."},
    "now_serving": {"id": "Sedang dilayani", "en": "Now serving"},
    "nobody": {"id": "Belum ada", "en": "Nobody"},
    "waiting": {"id": "Menunggu", "en": "Waiting"},
    "last_calls": {"id": "Panggilan terakhir", "en": "Last calls"},
    "next": {"id": "Panggil berikutnya", "en": "Call next"},
    "recall": {"id": "Panggil ulang", "en": "Call again"},
    "skip": {"id": "Lewati", "en": "Skip"},
    "transfer": {"id": "Alihkan", "en": "Transfer"},
    "transfer_to": {"id": "Alihkan {label} ke layanan:", "en": "Transfer {label} to service:"},
    "call_number": {"id": "Panggil nomor", "en": "Call a number"},
    "call": {"id": "Panggil", "en": "Call"},
    "cancel": {"id": "Batal", "en": "Cancel"},
    "open": {"id": "Buka loket", "en": "Open counter"},
    "close": {"id": "Tutup loket", "en": "Close counter"},
    "is_open": {"id": "Loket buka", "en": "Counter open"},
    "is_closed": {"id": "Loket tutup", "en": "Counter closed"},
    "service_closed": {"id": "tutup", "en": "closed"},
    "offline": {"id": "Kiosk tidak menjawab. Coba lagi.", "en": "The kiosk does not answer. Try again."},
    "language": {"id": "English", "en": "Bahasa Indonesia"},
    # Results of an action.
    "called": {"id": "{label} dipanggil", "en": "{label} called"},
    "skipped": {"id": "{label} dilewati", "en": "{label} skipped"},
    "skipped_none": {"id": "Tidak ada yang sedang dilayani", "en": "Nobody is being served"},
    "transferred": {"id": "{label} dialihkan ke {to}", "en": "{label} transferred to {to}"},
    "opened": {"id": "Loket dibuka", "en": "Counter opened"},
    "closed": {"id": "Loket ditutup", "en": "Counter closed"},
    "closed_served": {"id": "Loket ditutup; {label} selesai", "en": "Counter closed; {label} served"},
    "nobody_waiting": {"id": "Tidak ada yang menunggu", "en": "Nobody is waiting"},
    "too_soon": {"id": "Tunggu sebentar, lalu tekan lagi", "en": "Wait a moment, then press again"},
    # Refusals (kiosk.core.errors.OperationRefused reasons).
    "counter_closed": {"id": "Loket tutup. Buka loket dulu.", "en": "The counter is closed. Open it first."},
    "not_today": {"id": "{label} adalah tiket tanggal {day}; hanya tiket hari ini yang bisa dipakai.",
                  "en": "{label} is a ticket of {day}; only today's tickets can be used."},
    "void": {"id": "{label} batal (tiket tidak tercetak); tidak bisa dipanggil.",
             "en": "{label} is void (never printed); it cannot be called."},
    "being_served": {"id": "{label} sedang dilayani di loket {counter}.",
                     "en": "{label} is already being served at counter {counter}."},
    "already_served": {"id": "{label} sudah selesai dilayani.", "en": "{label} was already served."},
    "not_printed": {"id": "{label} masih dicetak.", "en": "{label} is still being printed."},
    "not_served_here": {"id": "{label} untuk layanan {service}, bukan loket ini. Alihkan dulu.",
                        "en": "{label} is for {service}, not this counter. Transfer it first."},
    "not_called": {"id": "Hanya tiket yang sedang dilayani yang bisa dialihkan.",
                   "en": "Only the ticket being served can be transferred."},
    "no_current": {"id": "Tidak ada yang sedang dilayani.", "en": "Nobody is being served."},
    "same_service": {"id": "{label} sudah di layanan itu.", "en": "{label} is already in that service."},
    "unknown_service": {"id": "Layanan tidak dikenal.", "en": "Unknown service."},
    "unknown_ticket": {"id": "Tidak ada tiket {label} hari ini.", "en": "No ticket {label} today."},
    "unknown_counter": {"id": "Loket tidak dikenal.", "en": "Unknown counter."},
    "bad_label": {"id": "Nomor tidak valid. Contoh: A-012.", "en": "Not a valid number. Example: A-012."},
    "unknown": {"id": "Ditolak.", "en": "Refused."},
    "bad_request": {"id": "Permintaan tidak valid.", "en": "Invalid request."},
    "csrf": {"id": "Halaman kedaluwarsa. Muat ulang halaman.", "en": "The page is out of date. Reload it."},
}
# "service_closed" is both a refusal (transfer target closed) and a label.
REFUSAL_SERVICE_CLOSED = {"id": "Layanan {service} tutup (tidak ada loket buka).",
                          "en": "Service {service} is closed (no open counter)."}
LANGUAGES = ("id", "en")


class _Blank(dict):
    def __missing__(self, key):
        return "?"


def text(key, language, **values):
    """The text ``key`` in ``language`` with ``values`` filled in (a missing
    value shows as '?', never an error)."""
    entry = TEXTS.get(key) or TEXTS["unknown"]
    return entry.get(language, entry["id"]).format_map(_Blank(values))


def refusal(reason, language, **values):
    """What the officer reads for a refused operation."""
    if reason == "service_closed":
        return REFUSAL_SERVICE_CLOSED.get(language, REFUSAL_SERVICE_CLOSED["id"]).format_map(_Blank(values))
    return text(reason if reason in TEXTS else "unknown", language, **values)


def table(language):
    """Every text in one language, for the page's script."""
    return {key: entry.get(language, entry["id"]) for key, entry in TEXTS.items()}

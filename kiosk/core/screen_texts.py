"""Texts shown only on the screen, in Indonesian (default) and English.

Ticket and call texts live in kiosk.core.texts; these are the words of the touch
screen itself. Keys are short ids; ``text(key, lang, **values)`` formats.
"""
from kiosk.core.texts import translate

TEXTS = {
    "choose": {"id": "Silakan pilih layanan", "en": "Please choose a service"},
    "priority_hint": {"id": "Prioritas: lansia, penyandang disabilitas, ibu hamil, ibu membawa balita",
                      "en": "Priority: elderly, people with disabilities, pregnant women, parents with toddlers"},
    "priority_button": {"id": "Prioritas", "en": "Priority"},
    "priority_tag": {"id": "PRIORITAS", "en": "PRIORITY"},
    "waiting": {"id": "{n} orang menunggu", "en": "{n} waiting"},
    "waiting_none": {"id": "Tidak ada antrian", "en": "No one waiting"},
    "printing": {"id": "Mencetak tiket...", "en": "Printing your ticket..."},
    "printing_wait": {"id": "Mohon tunggu sebentar", "en": "Please wait a moment"},
    "your_number": {"id": "Nomor Anda", "en": "Your number"},
    "take_ticket": {"id": "Silakan ambil tiket Anda", "en": "Please take your ticket"},
    "print_failed": {"id": "Tiket gagal dicetak", "en": "The ticket could not be printed"},
    # The visitor never received the voided number: the advice comes first, the
    # number stays small, for staff who look it up in the log.
    "print_failed_advice": {"id": "Silakan ambil tiket lagi atau hubungi petugas",
                            "en": "Please take a ticket again or ask the staff"},
    "ticket_void": {"id": "Untuk petugas: nomor {label} dibatalkan",
                    "en": "For staff: number {label} was cancelled"},
    "contact_staff": {"id": "Silakan hubungi petugas", "en": "Please contact the staff"},
    # The printer stopped mid-ticket: the number may be on paper, so it stays
    # valid and will be called; a visitor holding nothing asks the officer.
    "print_uncertain": {"id": "Pencetakan tiket terputus", "en": "Printing was interrupted"},
    "print_uncertain_advice": {"id": "Jika Anda tidak menerima tiket, silakan hubungi petugas",
                               "en": "If you did not receive a ticket, please ask the officer"},
    "ticket_still_valid": {"id": "Nomor {label} tetap berlaku dan akan dipanggil",
                           "en": "Number {label} stays valid and will be called"},
    "refused": {"id": "Tiket tidak dapat diambil", "en": "No ticket can be taken"},
    "tap_to_close": {"id": "Sentuh layar untuk kembali", "en": "Touch the screen to go back"},
    "now_serving": {"id": "Sedang Dilayani", "en": "Now Serving"},
    "no_call": {"id": "Belum ada panggilan", "en": "No call yet"},
    "go_to": {"id": "Silakan menuju", "en": "Please go to"},
    "out_of_order": {"id": "Mohon maaf, mesin antrian sedang tidak dapat digunakan",
                     "en": "Sorry, the ticket machine is out of order"},
    "code": {"id": "Kode teknisi: {code}", "en": "Technician code: {code}"},
    "recovers": {"id": "Layar ini kembali normal dengan sendirinya setelah diperbaiki",
                 "en": "This screen returns to normal by itself once it is fixed"},
    # The demo window's help line (keys stand in for the buttons).
    "help_take": {"id": "ambil tiket", "en": "take ticket"},
    "help_call": {"id": "panggil loket (Shift: ulang)", "en": "call counter (Shift: again)"},
    "help_skip": {"id": "lewati", "en": "skip"},
    "help_quit": {"id": "keluar", "en": "quit"},
    "last_ticket": {"id": "Tiket terakhir", "en": "Last ticket"},
}

# What each technician code means, shown small under the code.
FAULTS = {
    "PRN-OFF": {"id": "Printer mati atau tidak terhubung", "en": "Printer off or not connected"},
    "PRN-PAPER": {"id": "Kertas printer habis", "en": "Printer is out of paper"},
    "PRN-COVER": {"id": "Tutup printer terbuka", "en": "Printer cover is open"},
    "PRN-TMO": {"id": "Printer tidak merespons", "en": "Printer does not respond"},
    "PRN": {"id": "Gangguan printer", "en": "Printer problem"},
    "CLK": {"id": "Jam perangkat belum benar", "en": "The device clock is not set"},
    "DB": {"id": "Penyimpanan data bermasalah", "en": "Storage problem"},
    # Set by first-boot provisioning (kiosk.install.provision) when the file on the boot partition is bad.
    "CFG-BOOT": {"id": "Konfigurasi di kartu SD tidak dapat dipakai", "en": "The config on the SD card is not valid"},
    "ERR": {"id": "Kesalahan perangkat lunak", "en": "Software error"},
}


def text(key, language, **values):
    """The screen text ``key`` in ``language`` (falls back to Indonesian)."""
    return translate(TEXTS[key], language, **values)


def fault_text(code, language):
    """Short meaning of a technician code, or '' for an unknown one."""
    entry = FAULTS.get(code) or FAULTS.get(code.split("-")[0])
    return translate(entry, language) if entry else ""

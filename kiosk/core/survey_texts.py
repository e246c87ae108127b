"""Words of the survey screens and the survey box, Indonesian (default) and English.

The questions and answer labels themselves are the regulation's and live in
kiosk.core.survey; these are the kiosk's own words around them.
"""
from kiosk.core.texts import translate

TEXTS = {
    "home_button": {"id": "Survei Kepuasan", "en": "Satisfaction survey"},
    "home_hint": {"id": "Sudah dilayani? Nilai pelayanan kami", "en": "Been served? Rate our service"},
    "title": {"id": "Survei Kepuasan Masyarakat", "en": "Public Satisfaction Survey"},
    "identify": {"id": "Pindai kode QR pada tiket Anda, atau ketik nomor tiket",
                 "en": "Scan the QR code on your ticket, or type the ticket number"},
    "identify_hint": {"id": "Contoh: A-012", "en": "For example: A-012"},
    "privacy": {"id": "Survei ini tanpa nama. Nomor tiket hanya dipakai agar setiap tiket menjawab satu kali.",
                "en": "This survey is anonymous. The ticket number only makes sure each ticket answers once."},
    "ok": {"id": "OK", "en": "OK"},
    "back": {"id": "Kembali", "en": "Back"},
    "cancel": {"id": "Batal", "en": "Cancel"},
    "skip": {"id": "Lewati", "en": "Skip"},
    "send": {"id": "Kirim", "en": "Send"},
    "retry": {"id": "Coba lagi", "en": "Try again"},
    "close": {"id": "Tutup", "en": "Close"},
    "space": {"id": "Spasi", "en": "Space"},
    "question_of": {"id": "Pertanyaan {n} dari {total}", "en": "Question {n} of {total}"},
    "profile_of": {"id": "Tentang Anda {n} dari {total} (boleh dilewati)",
                   "en": "About you {n} of {total} (optional)"},
    "suggestion": {"id": "Saran untuk perbaikan pelayanan (boleh dikosongkan)",
                   "en": "Your suggestion to improve the service (optional)"},
    "checking": {"id": "Memeriksa tiket...", "en": "Checking your ticket..."},
    "saving": {"id": "Menyimpan jawaban...", "en": "Saving your answers..."},
    "please_wait": {"id": "Mohon tunggu sebentar", "en": "Please wait a moment"},
    "thanks": {"id": "Terima kasih atas penilaian Anda", "en": "Thank you for your feedback"},
    "thanks_note": {"id": "Jawaban Anda membantu kami memperbaiki pelayanan.",
                    "en": "Your answers help us improve the service."},
    # Refusals (kiosk.core.survey.REFUSALS) and the failure to save: a heading and advice.
    "unreadable": {"id": "Nomor tiket tidak terbaca", "en": "The ticket number could not be read"},
    "unreadable_advice": {"id": "Ketik nomor seperti A-012, atau pindai kode QR pada tiket.",
                          "en": "Type a number like A-012, or scan the QR code on the ticket."},
    "unknown": {"id": "Tiket {label} tidak ditemukan hari ini", "en": "Ticket {label} was not found today"},
    "unknown_advice": {"id": "Periksa kembali nomornya, atau tanyakan kepada petugas.",
                       "en": "Please check the number, or ask the staff."},
    "not_served": {"id": "Tiket {label} belum selesai dilayani", "en": "Ticket {label} has not been served yet"},
    "not_served_advice": {"id": "Survei dapat diisi setelah Anda selesai dilayani. Terima kasih.",
                          "en": "You can answer the survey once you have been served. Thank you."},
    "other_day": {"id": "Tiket ini bukan tiket hari ini", "en": "This ticket is not from today"},
    "other_day_advice": {"id": "Survei hanya untuk tiket yang dilayani hari ini.",
                         "en": "The survey is only for tickets served today."},
    "already": {"id": "Tiket {label} sudah mengisi survei", "en": "Ticket {label} has already answered"},
    "already_advice": {"id": "Setiap tiket hanya dapat mengisi satu kali. Terima kasih atas partisipasi Anda.",
                       "en": "Each ticket can answer once. Thank you for taking part."},
    "disabled": {"id": "Survei sedang tidak tersedia", "en": "The survey is not available now"},
    "disabled_advice": {"id": "Silakan hubungi petugas.", "en": "Please ask the staff."},
    "failed": {"id": "Mohon maaf, jawaban belum dapat disimpan", "en": "Sorry, your answers could not be saved"},
    "failed_advice": {"id": "Silakan coba lagi nanti atau hubungi petugas.",
                      "en": "Please try again later or ask the staff."},
    # The survey box: one overall question, four faces (not part of the nine-element index).
    "box_question": {"id": "Bagaimana kepuasan Anda terhadap pelayanan kami hari ini?",
                     "en": "How satisfied are you with our service today?"},
    "box_1": {"id": "Tidak puas", "en": "Not satisfied"},
    "box_2": {"id": "Kurang puas", "en": "Less satisfied"},
    "box_3": {"id": "Puas", "en": "Satisfied"},
    "box_4": {"id": "Sangat puas", "en": "Very satisfied"},
}


def text(key: str, language: str, **values: object) -> str:
    """The survey text ``key`` in ``language`` (falls back to Indonesian)."""
    return translate(TEXTS[key], language, **values)

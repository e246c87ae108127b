"""Texts of tickets and calls in Indonesian (default) and English.

Indonesian dates and number words are written here rather than through the
system locale: a Pi image rarely has id_ID generated, and the result must not
depend on it.

Words that must stay together on paper and on screen ("Loket 2", "5 menit")
are joined with a non-breaking space (``NBSP``); the ticket wrapper
(drivers/printer/text.py) never breaks a line there.
"""

NBSP = "\u00a0"

DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}

TEXTS = {
    "heading": {"id": "NOMOR ANTRIAN", "en": "QUEUE NUMBER"},
    "priority": {"id": "PRIORITAS", "en": "PRIORITY"},
    "copy": {"id": "SALINAN", "en": "COPY"},
    "ahead": {"id": "Antrian di depan Anda: {n}", "en": "People ahead of you: {n}"},
    "ahead_none": {"id": "Tidak ada antrian di depan Anda", "en": "Nobody is ahead of you"},
    "wait": {"id": "Perkiraan waktu tunggu: {m}\u00a0menit", "en": "Estimated wait: {m}\u00a0min"},
    "wait_none": {"id": "Anda akan segera dipanggil", "en": "You will be called shortly"},
    "wait_short": {"id": "Perkiraan waktu tunggu: <\u00a05\u00a0menit", "en": "Estimated wait: <\u00a05\u00a0min"},
    "instruction": {"id": "Silakan menunggu panggilan di {counters}",
                    "en": "Please wait to be called to {counters}"},
    "or": {"id": "atau", "en": "or"},
    "counter": {"id": "Loket\u00a0{n}", "en": "Counter\u00a0{n}"},
    # Refusal reasons (IssueRefused.reason) as shown to visitors.
    "closed": {"id": "Tutup", "en": "Closed"},
    "outside_hours": {"id": "Tutup, buka {when}", "en": "Closed, opens {when}"},
    "outside_hours_today": {"id": "Tutup hari ini", "en": "Closed today"},
    "quota": {"id": "Kuota hari ini habis", "en": "Today's quota is used up"},
    "no_priority": {"id": "Tidak ada antrian prioritas", "en": "No priority queue"},
    "range_full": {"id": "Nomor antrian penuh, hubungi petugas", "en": "Numbers used up, ask staff"},
    "counters_closed": {"id": "Loket tutup", "en": "Counters closed"},
}

# The ticket footer when the config gives none for the language (printer.footer / footer_en).
FOOTER = {
    "id": ("Terima kasih atas kunjungan Anda", "Tiket hanya berlaku hari ini"),
    "en": ("Thank you for your visit", "This ticket is valid today only"),
}


def translate(entry, language, **values):
    """An ``{"id": ..., "en": ...}`` entry in ``language`` (falls back to Indonesian)."""
    return entry.get(language, entry["id"]).format(**values)


def text(key, language, **values):
    """The text ``key`` in ``language`` (falls back to Indonesian)."""
    return translate(TEXTS[key], language, **values)


def format_date(dt, language="id"):
    """'Selasa, 16 April 2024'."""
    return f"{DAYS[language][dt.weekday()]}, {dt.day} {MONTHS[language][dt.month - 1]} {dt.year}"


def format_time(dt, language="id"):
    """'15.47' in Indonesian (the dot is the national style), '15:47' in English."""
    sep = "." if language == "id" else ":"
    return f"{dt.hour:02d}{sep}{dt.minute:02d}"


def format_datetime(dt, language="id"):
    """'Selasa, 16 April 2024 15:47' (the ticket keeps the colon DOMAIN.md shows)."""
    return f"{format_date(dt, language)} {dt.hour:02d}:{dt.minute:02d}"


_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
          "sepuluh", "sebelas")


def number_words(n):
    """Indonesian words for 0 <= n < 1,000,000: 12 -> 'dua belas', 123 ->
    'seratus dua puluh tiga', 1000 -> 'seribu'."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"{n} is out of range")
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_UNITS[tens]} puluh" + (f" {_UNITS[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus"
        return head + (f" {number_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = "seribu" if thousands == 1 else f"{number_words(thousands)} ribu"
    return head + (f" {number_words(rest)}" if rest else "")


_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
             "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words_en(n):
    """English words for 0 <= n < 1,000,000 as said in a call: 12 -> 'twelve',
    105 -> 'one hundred five', 2024 -> 'two thousand twenty-four'."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"{n} is out of range")
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_UNITS[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_UNITS[hundreds]} hundred" + (f" {number_words_en(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{number_words_en(thousands)} thousand" + (f" {number_words_en(rest)}" if rest else "")


def spoken_number(n, language="id"):
    """A number as words in ``language`` (the recorded-clip announcer needs words)."""
    return number_words_en(n) if language == "en" else number_words(n)


def announcement(prefix, number, counter_number, language="id"):
    """What is spoken on a call, the number said twice:

    'Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua.'
    'Number, A, 12. A, 12. Please go to counter 2.'

    Each sentence is a unit for the announcer, which puts a pause between
    them. In English the letter stands alone between commas so that espeak
    says it as a letter ("ay"), not as the article ("uh").
    """
    if language == "en":
        return f"Number, {prefix}, {number}. {prefix}, {number}. Please go to counter {counter_number}."
    words = number_words(number)
    return f"Nomor antrian {prefix} {words}. {prefix} {words}. Silakan menuju loket {number_words(counter_number)}."


def counter_name(number, language="id"):
    """'Loket 2' / 'Counter 2' for a counter with no configured name: a plain
    space, for screens and the command line (the ticket's counters_phrase
    keeps the non-breaking one)."""
    return text("counter", language, n=number).replace(NBSP, " ")


def footer_lines(configured, configured_en, language="id"):
    """The ticket footer for ``language``: the configured lines, else the built-in ones."""
    lines = configured_en if language == "en" else configured
    return tuple(lines) if lines else FOOTER.get(language, FOOTER["id"])


def counters_phrase(numbers, language="id"):
    """'Loket 1', 'Loket 1 atau Loket 2', 'Loket 1, Loket 2 atau Loket 3'."""
    names = [text("counter", language, n=n) for n in numbers]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {text('or', language)} {names[-1]}"

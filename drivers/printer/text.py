"""Text that is safe to send to a thermal printer.

Every string on a ticket may come from a config file or a translation, so it
is cleaned here before layout: control bytes would be printer commands (a
service name must never cut the paper or switch code pages), and anything
outside ASCII is transliterated because the printer keeps one code page.
"""
import re
import textwrap
import unicodedata

# Characters that NFKD does not reduce to ASCII but that have an obvious spelling.
_SPELLED = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "*", "\u00b7": ".", "\u00d7": "x", "\u00f7": "/",
    "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u0152": "OE",
    "\u00f8": "o", "\u00d8": "O", "\u0111": "d", "\u0110": "D", "\u0142": "l", "\u0141": "L",
    "\u00de": "Th", "\u00fe": "th", "\u00f0": "d", "\u0131": "i",
    "\u20ac": "EUR", "\u00a9": "(c)", "\u00ae": "(R)", "\u2122": "TM", "\u00b0": " deg",
    "\u2009": " ", "\u3000": " ",
}
# Non-breaking spaces: "Loket 2" and "5 menit" never part at a line end.
NO_BREAK = ("\u00a0", "\u202f", "\u2007")

UNKNOWN = "?"
NBSP = "\u00a0"
_SPACES = re.compile("[ \u00a0]+")
_MARK = "\ue000"  # private use: never in a real text, left alone by NFKD


def clean(text, keep_no_break=False):
    """``text`` as printable ASCII on one line.

    Control characters (C0, DEL, C1, and line/tab breaks) become spaces, runs of
    spaces collapse, accents are dropped (``é`` -> ``e``), a few symbols are
    spelled out, and any other character becomes ``?`` so that the reader still
    sees that something was there. Non-breaking spaces become plain spaces, or
    stay U+00A0 with ``keep_no_break`` (for the wrapper, which honours them).
    """
    if text is None:
        return ""
    out = []
    text = str(text)
    for ch in NO_BREAK:
        # NFKD turns U+00A0 into a plain space: mark it first with a code point NFKD keeps.
        text = text.replace(ch, _MARK)
    for ch in unicodedata.normalize("NFKD", text):
        code = ord(ch)
        if 0x20 <= code < 0x7F:
            out.append(ch)
        elif ch == _MARK:
            out.append(NBSP if keep_no_break else " ")
        elif code < 0x20 or 0x7F <= code <= 0x9F or ch in "\u2028\u2029\u0085":
            out.append(" ")
        elif unicodedata.combining(ch):
            continue
        elif ch in _SPELLED:
            out.append(_SPELLED[ch])
        elif unicodedata.category(ch) in ("Cf", "Cs", "Co", "Cn"):
            continue  # zero-width and format characters print nothing
        elif unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append(UNKNOWN)
    if not keep_no_break:
        return " ".join("".join(out).split())
    # A run of spaces collapses to one; to a non-breaking one if it held one.
    joined = _SPACES.sub(lambda m: NBSP if NBSP in m.group() else " ", "".join(out))
    return joined.strip(" " + NBSP)


def wrap(text, columns):
    """Clean ``text`` and wrap it on word boundaries into lines of at most
    ``columns`` characters, never at a non-breaking space ("Loket 2" stays
    whole). A word longer than a line is split (a URL, say)."""
    text = clean(text, keep_no_break=True)
    if not text:
        return []
    # textwrap breaks only at ASCII whitespace, so U+00A0 glues its words;
    # the printed line gets a plain space in its place.
    lines = textwrap.wrap(text, width=max(1, columns), break_long_words=True, break_on_hyphens=False)
    return [line.replace(NBSP, " ") for line in lines]

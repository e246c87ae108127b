"""Announcements at the board: each call id once, ever; recalls again; in order; never old ones."""
import json

from board_helpers import call
from drivers.sound import FakeAnnouncer
from kiosk.board.announce import STALE_SECONDS, AnnouncedCalls, CallAnnouncer, announcement_text

NOW = 1_764_555_000.0


def feed(*calls, device="kiosk-1", now=NOW):
    return {"device": device, "now": now, "calls": list(calls)}


def board(path, language="id"):
    speaker = FakeAnnouncer()
    return speaker, CallAnnouncer(speaker, AnnouncedCalls(str(path)), language)


def texts(speaker):
    return [text for text, _ in speaker.said]


def test_a_first_start_announces_nothing_already_on_the_feed(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(call(5, 1, "A-005", at=NOW)), speak=True)
    assert speaker.said == []
    announcer.on_feed(feed(call(6, 2, "A-006", at=NOW), call(5, 1, "A-005", at=NOW)), speak=True)
    assert texts(speaker) == ["Nomor antrian A enam. A enam. Silakan menuju loket dua."]


def test_the_same_feed_twice_announces_once(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(), speak=True)
    new = feed(call(1, 1, "A-012", at=NOW))
    announcer.on_feed(new, speak=True)
    announcer.on_feed(new, speak=True)  # a reconnect brings the same calls again
    assert texts(speaker) == ["Nomor antrian A dua belas. A dua belas. Silakan menuju loket satu."]


def test_a_restarted_board_does_not_repeat_what_was_announced(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(), speak=True)
    announcer.on_feed(feed(call(1, 1, "A-012", at=NOW)), speak=True)
    again, restarted = board(tmp_path / "a.json")
    restarted.on_feed(feed(call(1, 1, "A-012", at=NOW)), speak=True)
    assert again.said == [] and len(speaker.said) == 1
    assert json.loads((tmp_path / "a.json").read_text()) == {"device": "kiosk-1", "last_call_id": 1}


def test_a_recall_has_a_new_id_and_is_announced_again(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(), speak=True)
    announcer.on_feed(feed(call(1, 2, "B-003", at=NOW)), speak=True)
    announcer.on_feed(feed(call(2, 2, "B-003", at=NOW + 5), now=NOW + 5), speak=True)  # panggil ulang
    assert len(speaker.said) == 2 and speaker.said[0] == speaker.said[1]


def test_five_counters_in_one_feed_are_announced_oldest_first(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(), speak=True)
    calls = [call(10 + n, n, f"A-00{n}", at=NOW) for n in range(1, 6)]
    announcer.on_feed(feed(*reversed(calls)), speak=True)  # the feed lists newest first
    assert [t.split(".")[0] for t in texts(speaker)] == [
        "Nomor antrian A satu", "Nomor antrian A dua", "Nomor antrian A tiga", "Nomor antrian A empat",
        "Nomor antrian A lima"]


def test_calls_already_old_when_first_seen_are_shown_not_spoken(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(), speak=True)
    old = call(1, 1, "A-001", at=NOW - STALE_SECONDS - 1)
    fresh = call(2, 1, "A-002", at=NOW - 3)
    assert announcer.on_feed(feed(fresh, old), speak=True) == [2]
    assert announcer.memory.last_id == 2


def test_when_the_kiosk_speaks_the_board_counts_calls_silently(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(), speak=False)
    announcer.on_feed(feed(call(1, 1, "A-001", at=NOW)), speak=False)
    announcer.on_feed(feed(call(1, 1, "A-001", at=NOW)), speak=True)  # switched to the board later
    assert speaker.said == []


def test_ids_going_backwards_or_another_kiosk_start_a_new_count(tmp_path):
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(call(500, 1, "A-001", at=NOW)), speak=True)
    announcer.on_feed(feed(call(3, 1, "A-001", at=NOW)), speak=True)  # the kiosk's log was reset
    announcer.on_feed(feed(call(4, 1, "A-002", at=NOW)), speak=True)
    announcer.on_feed(feed(call(9, 1, "C-001", at=NOW), device="kiosk-2"), speak=True)
    assert texts(speaker) == ["Nomor antrian A satu. A satu. Silakan menuju loket satu.",
                              "Nomor antrian A dua. A dua. Silakan menuju loket satu."]


def test_the_first_call_after_the_kiosks_log_was_reset_is_not_swallowed(tmp_path):
    """A kiosk whose database was replaced counts call ids from 1 again; the
    board must speak that fresh call (it used to save it silently as the new
    count), yet still never repeat it after a restart, nor speak stale calls."""
    speaker, announcer = board(tmp_path / "a.json")
    announcer.on_feed(feed(call(500, 1, "A-050", at=NOW)), speak=True)
    announcer.on_feed(feed(call(2, 2, "B-001", at=NOW), call(1, 1, "A-001", at=NOW - STALE_SECONDS - 5)), speak=True)
    assert texts(speaker) == ["Nomor antrian B satu. B satu. Silakan menuju loket dua."]
    speaker2, restarted = board(tmp_path / "a.json")
    restarted.on_feed(feed(call(2, 2, "B-001", at=NOW)), speak=True)
    assert speaker2.said == []


def test_a_damaged_memory_file_does_not_stop_the_board(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(b"\x00{not json")
    speaker, announcer = board(path)
    announcer.on_feed(feed(call(1, 1, "A-001", at=NOW)), speak=True)  # treated as a first start
    announcer.on_feed(feed(call(2, 1, "A-002", at=NOW), call(1, 1, "A-001", at=NOW)), speak=True)
    assert len(speaker.said) == 1 and json.loads(path.read_text())["last_call_id"] == 2


def test_english_boards_speak_english():
    assert announcement_text(call(1, 3, "E-007"), "en") == "Number, E, 7. E, 7. Please go to counter 3."
    assert announcement_text(call(1, 3, "weird"), "id") == "weird. Silakan menuju loket 3."

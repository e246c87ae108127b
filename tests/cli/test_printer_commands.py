"""ptsp-kiosk preview, test-print, printer-status, paper-replaced and reprint."""
import json
import re

import pytest

from core_helpers import steady_demo_copy
from kiosk.cli import main


def write_config(tmp_path, **printer):
    """The demo config with its database and preview folder in tmp_path, on a
    business day that does not change while the test runs on the real clock."""
    path = steady_demo_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    settings = {"type": "preview", "preview_dir": str(tmp_path / "tickets"), **printer}
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    text = re.sub(r'(?ms)^\[printer\]\n.*?(?=^\[)', f"[printer]\n{body}\n", text)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_preview_renders_a_sample_ticket_to_png(tmp_path, capsys):
    cfg = write_config(tmp_path)
    out = tmp_path / "ticket.png"
    assert main(["preview", "kunjungan", "--out", str(out), "--config", cfg]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert "A-012" in capsys.readouterr().out


def test_preview_of_an_unknown_service_is_a_clear_error(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["preview", "nope", "--out", str(tmp_path / "x.png"), "--config", cfg]) == 2
    assert "unknown service" in capsys.readouterr().err


def test_preview_into_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["preview", "A", "--out", str(tmp_path / "no" / "x.png"), "--config", cfg]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_test_print_sends_a_page_with_the_config_summary(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["test-print", "--config", cfg]) == 0
    assert (tmp_path / "tickets" / "test-page.png").exists()
    assert "test page sent" in capsys.readouterr().out


def test_test_page_lists_the_printer_settings():
    from drivers.printer import open_printer
    from kiosk.core import config
    from kiosk.cli.printer import _summary_lines

    cfg = config.load_demo()
    lines = _summary_lines(cfg, open_printer(cfg.printer, preview_dir_default="/tmp"))
    assert any("58 mm" in x and "32 columns" in x for x in lines)
    assert any(x.startswith("Kiosk: demo-kiosk") for x in lines)


def test_printer_status_of_an_unreadable_file_printer_is_unknown_not_ok(tmp_path, capsys):
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")
    cfg = write_config(tmp_path, type="file", path=str(lp))
    assert main(["printer-status", "--json", "--config", cfg]) == 0
    health = json.loads(capsys.readouterr().out)["health"]
    assert health["online"] is None and health["paper"] == "unknown"


def test_printer_status_exits_1_when_the_printer_is_known_offline(tmp_path, capsys):
    cfg = write_config(tmp_path, type="file", path=str(tmp_path / "gone" / "lp0"))
    assert main(["printer-status", "--config", cfg]) == 1
    assert "online    NO" in capsys.readouterr().out


def test_paper_replaced_resets_the_roll_counter(tmp_path, capsys):
    from kiosk.services.printing import KEY_TICKETS
    from kiosk.services.store import Store

    cfg = write_config(tmp_path, type="dummy", roll_length=50.0)
    store = Store(str(tmp_path / "kiosk.db"))
    store.meta_set(KEY_TICKETS, 300)
    store.close()
    assert main(["paper-replaced", "--config", cfg]) == 0
    assert "300 tickets on the old roll" in capsys.readouterr().out
    assert main(["printer-status", "--json", "--config", cfg]) == 0
    roll = json.loads(capsys.readouterr().out)["roll"]
    assert roll["tickets_since_paper"] == 0 and roll["remaining_m"] == pytest.approx(50.0)


@pytest.fixture
def issued(tmp_path):
    """A printed ticket in the store of a preview-printer config."""
    from kiosk.core import config
    from kiosk.services.queue_service import QueueService
    from kiosk.services.store import Store

    path = write_config(tmp_path)
    cfg = config.load(path)
    store = Store(cfg.storage.database)
    service = QueueService(cfg, store)
    ticket = service.issue("kunjungan").ticket
    service.printed(ticket.id)
    yield path, ticket, store, service
    store.close()


def test_reprint_prints_a_copy_and_counts_it(issued, tmp_path, capsys):
    path, ticket, store, _ = issued
    before = store.ticket(ticket.id).print_count
    assert main(["reprint", ticket.label, "--config", path]) == 0
    assert (tmp_path / "tickets" / f"ticket-{ticket.id:06d}-{ticket.label}-copy.png").exists()
    assert store.ticket(ticket.id).print_count == before + 1
    assert "as a copy" in capsys.readouterr().out


def test_reprint_marks_the_copy_on_paper(issued, tmp_path):
    from drivers.printer import PreviewPrinter

    path, ticket, _, _ = issued
    sent = []
    original = PreviewPrinter._send
    PreviewPrinter._send = lambda self, data, name, *job: sent.append(data) or original(self, data, name, *job)
    try:
        assert main(["reprint", f"#{ticket.id}", "--config", path]) == 0
    finally:
        PreviewPrinter._send = original
    assert b" SALINAN \n" in sent[0]


def test_a_void_ticket_is_not_reprinted(tmp_path, capsys):
    from kiosk.core import config
    from kiosk.services.queue_service import QueueService
    from kiosk.services.store import Store

    path = write_config(tmp_path)
    cfg = config.load(path)
    store = Store(cfg.storage.database)
    ticket = QueueService(cfg, store).issue("kunjungan").ticket
    QueueService(cfg, store).void(ticket.id, "PRN-OFF: unplugged")
    store.close()
    assert main(["reprint", ticket.label, "--config", path]) == 2
    assert "void" in capsys.readouterr().err
    assert not list(tmp_path.glob("tickets/*-copy.png"))


def test_reprint_of_an_unknown_ticket_is_a_clear_error(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["reprint", "A-999", "--config", cfg]) == 2
    assert "no ticket A-999" in capsys.readouterr().err

"""The runtime machine on a fake clock: events in, effects out, no I/O."""
import pytest

from kiosk.core import business_day
from kiosk.core import events as E
from kiosk.machine import effects as F
from kiosk.machine.machine import ERROR_SECONDS, LOST_REPORT_GRACE, PRINT_FAULT_SECONDS, REFRESH_SECONDS


# --- visitors -----------------------------------------------------------------------
def test_a_press_asks_the_store_for_a_ticket_and_then_prints_it(kiosk):
    kiosk.send(E.TakeTicket("kunjungan", False, "button"))
    assert kiosk.of(F.IssueTicket) == [F.IssueTicket("kunjungan", False, "button")]

    kiosk.send(E.TicketIssued(7, "A-001", "kunjungan", False, content="CONTENT", lines=()))

    assert kiosk.of(F.PrintTicket) == [F.PrintTicket(7, "CONTENT")]
    assert kiosk.machine.view(kiosk.at).ticket.phase == "printing"


def test_the_counts_are_read_again_once_the_print_is_settled_not_before_its_first_byte(kiosk):
    # Re-reading the store while the ticket starts printing would take the CPU
    # from the print worker (issue 10: button -> first byte < 10 ms); the
    # printing ticket's service is blocked meanwhile anyway.
    kiosk.send(E.TakeTicket("kunjungan", False, "button"))
    kiosk.send(E.TicketIssued(7, "A-001", "kunjungan", False, content="CONTENT", lines=()))
    assert kiosk.of(F.Refresh) == []

    kiosk.send(E.PrintFinished(7, outcome="printed"))
    assert kiosk.of(F.Refresh) == [F.Refresh()]


def test_mashing_a_service_button_gives_one_ticket(kiosk):
    kiosk.issue()
    for _ in range(20):
        kiosk.send(E.TakeTicket("kunjungan", False, "button"))
        assert kiosk.of(F.IssueTicket) == []
        assert kiosk.of(F.LogPressIgnored)[0].why == "printing"


def test_a_printed_ticket_shows_the_number_then_goes_home(kiosk, cfg):
    kiosk.issue()
    kiosk.send(E.PrintFinished(1))
    assert kiosk.of(F.RecordPrintOutcome) == [F.RecordPrintOutcome(1, "printed", "")]
    assert kiosk.machine.view(kiosk.at).ticket.phase == "done"

    kiosk.advance(cfg.display.ticket_seconds + 0.1)

    assert kiosk.machine.view(kiosk.at).ticket is None


def test_a_void_print_is_recorded_void_and_blocks_tickets_until_it_expires(kiosk):
    kiosk.issue()
    kiosk.send(E.PrintFinished(1, "device could not be opened", "PRN-OFF", outcome="void"))
    assert kiosk.of(F.RecordPrintOutcome)[0].outcome == "void"
    assert kiosk.machine.view(kiosk.at).ticket.phase == "failed"
    assert kiosk.machine.fault().code == "PRN-OFF"

    kiosk.advance(PRINT_FAULT_SECONDS - 1)
    assert kiosk.machine.fault() is not None
    kiosk.advance(2)  # a print fault that never expired would lock the kiosk for the day
    assert kiosk.machine.fault() is None


def test_an_uncertain_print_stays_callable_and_tells_the_visitor_to_ask(kiosk):
    kiosk.issue()
    kiosk.send(E.PrintFinished(1, "timeout after 3 bytes", "PRN-TMO", outcome="uncertain"))

    assert kiosk.of(F.RecordPrintOutcome)[0].outcome == "uncertain"
    assert kiosk.machine.view(kiosk.at).ticket.phase == "uncertain"


def test_a_lost_print_report_does_not_block_the_kiosk(kiosk, cfg):
    kiosk.issue()
    kiosk.advance(cfg.printer.timeout + LOST_REPORT_GRACE - 1)
    assert kiosk.machine.printing

    kiosk.advance(2)

    assert not kiosk.machine.printing
    outcome = kiosk.of(F.RecordPrintOutcome)
    # Bytes may have left: the number stays callable rather than void.
    assert outcome and outcome[0].outcome == "uncertain"


def test_a_refused_ticket_says_why_then_goes_home(kiosk):
    kiosk.send(E.TakeTicket("kunjungan", False, "touch"))
    kiosk.send(E.IssueWasRefused("kunjungan", "Tutup, buka 13.00"))
    view = kiosk.machine.view(kiosk.at).ticket
    assert (view.phase, view.message) == ("refused", "Tutup, buka 13.00")
    kiosk.advance(5)
    assert kiosk.machine.view(kiosk.at).ticket is None


# --- faults -----------------------------------------------------------------------------
def test_an_invalid_clock_is_out_of_order_and_refuses_presses(kiosk, cfg):
    states = tuple(E.ServiceState(s.code, True) for s in cfg.services)
    kiosk.send(E.StateRefreshed(states, "2025-06-16", clock_problem=business_day.CLOCK_INVALID))

    assert kiosk.machine.fault().code == "CLK"
    kiosk.send(E.TakeTicket("kunjungan", False, "button"))
    assert kiosk.of(F.IssueTicket) == []
    assert kiosk.of(F.LogPressIgnored)[0].why == "out_of_order:CLK"


def test_a_clock_merely_behind_keeps_serving(kiosk, cfg):
    states = tuple(E.ServiceState(s.code, True) for s in cfg.services)
    kiosk.send(E.StateRefreshed(states, "2025-06-16", clock_problem=business_day.CLOCK_BEHIND))
    assert kiosk.machine.fault() is None


def test_each_printer_condition_is_its_own_fault(kiosk):
    for health, code in ((E.PrinterHealth(online=False), "PRN-OFF"),
                         (E.PrinterHealth(online=True, paper="out"), "PRN-PAPER"),
                         (E.PrinterHealth(online=True, paper="ok", cover_open=True), "PRN-COVER")):
        kiosk.send(E.PrinterHealthChanged(health))
        assert kiosk.machine.fault().code == code
        assert kiosk.of(F.SystemdStatus)[0].text.startswith(f"out of order: {code}")
    kiosk.send(E.PrinterHealthChanged(E.PrinterHealth(online=True, paper="ok", cover_open=False)))
    assert kiosk.machine.fault() is None
    assert kiosk.of(F.SystemdStatus) == [F.SystemdStatus("serving")]


def test_a_storage_failure_shows_its_code_until_the_store_answers_again(kiosk, cfg):
    kiosk.send(E.StorageFailed("database or disk is full", "DB-FULL"))
    assert kiosk.machine.fault().code == "DB-FULL"
    kiosk.refresh()
    assert kiosk.machine.fault() is None


def test_an_unexpected_error_shows_err_for_a_while(kiosk):
    kiosk.machine.unexpected_error(kiosk.at)
    assert kiosk.machine.fault().code == "ERR"
    kiosk.advance(ERROR_SECONDS + 0.1)
    assert kiosk.machine.fault() is None


def test_lights_follow_faults_and_printing(kiosk):
    kiosk.send(E.PrinterHealthChanged(E.PrinterHealth(online=True, paper="out")))
    lights = kiosk.of(F.SetLights)[0]
    assert set(dict(lights.services).values()) == {"off"} and lights.status == "blink"
    kiosk.send(E.PrinterHealthChanged(E.PrinterHealth(online=True, paper="ok")))
    kiosk.issue()
    lights = dict(kiosk.machine._lights.services)
    assert lights["kunjungan"] == "blink" and lights["barang"] == "on"


# --- counters ----------------------------------------------------------------------------
def test_a_counter_press_calls_and_a_double_press_is_swallowed(kiosk):
    kiosk.send(E.CounterAction(1, "call"))
    assert kiosk.of(F.CounterOperation) == [F.CounterOperation(1, "call", "button")]

    kiosk.send(E.CounterAction(1, "call"))  # the same press again: never two visitors

    assert kiosk.of(F.CounterOperation) == []
    assert kiosk.of(F.LogPressIgnored)[0].why == "too_soon"


def test_a_call_is_shown_highlighted_and_announced(kiosk, cfg):
    kiosk.call(counter=2, label="A-003")

    announce = kiosk.of(F.Announce)
    assert announce and "A-003" in announce[0].text
    view = kiosk.machine.view(kiosk.at)
    assert view.newest_counter == 2
    assert [c.label for c in view.calls if c.counter_number == 2] == ["A-003"]
    kiosk.advance(cfg.display.highlight_seconds + 0.1)
    assert kiosk.machine.view(kiosk.at).newest_counter is None


def test_nobody_waiting_gives_the_counter_a_sign(kiosk):
    kiosk.send(E.NobodyWaiting(2))
    assert kiosk.of(F.SignalCounter) == [F.SignalCounter(2, "nobody_waiting")]


def test_calls_made_elsewhere_are_announced_once_but_not_at_start(kiosk, cfg):
    states = tuple(E.ServiceState(s.code, True) for s in cfg.services)

    def call(label, at, call_id):
        return E.CallInfo(1, "Loket 1", label, "kunjungan", False, f"Nomor {label}", at, call_id)

    old = call("A-001", kiosk.WALL0 - 60, 1)
    kiosk.send(E.StateRefreshed(states, "2025-06-16", recent_calls=(old,), seed=True))
    assert kiosk.of(F.Announce) == []  # a restart never repeats the morning's calls

    new = call("A-002", kiosk.WALL0 + 5, 2)
    kiosk.send(E.StateRefreshed(states, "2025-06-16", recent_calls=(new, old)))
    assert [a.text for a in kiosk.of(F.Announce)] == ["Nomor A-002"]
    kiosk.send(E.StateRefreshed(states, "2025-06-16", recent_calls=(new, old)))
    assert kiosk.of(F.Announce) == []


# --- refresh and the day ------------------------------------------------------------------
def test_the_machine_refreshes_state_periodically(kiosk):
    kiosk.advance(REFRESH_SECONDS + 0.1)
    assert kiosk.of(F.Refresh) == [F.Refresh()]
    kiosk.refresh()
    kiosk.advance(1)
    assert kiosk.of(F.Refresh) == []


def test_a_new_business_day_clears_yesterdays_calls(kiosk, cfg):
    kiosk.call(counter=1, label="A-009")
    states = tuple(E.ServiceState(s.code, True) for s in cfg.services)
    kiosk.send(E.StateRefreshed(states, "2025-06-17"))
    assert all(c.label == "" for c in kiosk.machine.view(kiosk.at).calls)


# --- what others read ----------------------------------------------------------------------
def test_the_snapshot_carries_the_fault_and_the_calls(kiosk):
    kiosk.send(E.PrinterHealthChanged(E.PrinterHealth(online=True, paper="out", detail="no paper")))
    snap = kiosk.machine.snapshot()
    assert (snap.fault, snap.printer["paper"]) == ("PRN-PAPER", "out")
    assert snap.as_dict()["fault"] == "PRN-PAPER"


def test_quit_stops(kiosk):
    assert kiosk.send(E.Quit("admin keys"))[0] == F.Stop("admin keys")


def test_a_request_from_the_staff_page_gets_a_reply(kiosk):
    kiosk.send(E.CounterAction(2, "call", "staff", request_id="r1"))
    assert kiosk.of(F.CounterOperation) == [F.CounterOperation(2, "call", "staff", "r1")]
    kiosk.send(E.NobodyWaiting(2, "call", "staff", request_id="r1"))
    assert kiosk.of(F.Reply) == [F.Reply("r1", False, "nobody_waiting")]
    # A button press has no request id and gets no reply.
    kiosk.advance(5)
    kiosk.send(E.NobodyWaiting(2))
    assert kiosk.of(F.Reply) == []


def test_a_refused_boot_config_is_out_of_order_with_its_code(kiosk):
    from kiosk.machine.view import Fault

    kiosk.machine.config_fault = Fault("CFG-BOOT", "services[0].prefix: ...")
    assert kiosk.machine.fault().code == "CFG-BOOT"
    kiosk.send(E.TakeTicket("kunjungan", False, "button"))
    assert kiosk.of(F.IssueTicket) == []


@pytest.mark.parametrize("who, spoken", [("board", False), ("kiosk", True), ("both", True)])
def test_the_kiosk_speaks_unless_only_the_board_does(cfg, driver_for, who, spoken):
    import dataclasses

    d = driver_for(dataclasses.replace(cfg, board=dataclasses.replace(cfg.board, announce=who)))
    d.call(counter=1, label="A-001")
    assert bool(d.of(F.Announce)) is spoken

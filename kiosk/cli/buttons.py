"""``ptsp-kiosk diag-buttons``: check the wiring of buttons and lights.

For a technician at the kiosk: it lists every configured button and light
with its pin, lights each light in turn (and beeps the buzzer), then prints
the name of each button as it is pressed. A service button's light stays on
once its button has been pressed, so a wrong button/light pairing shows at a
glance. On mock pins the presses come from a line script on stdin (see
``kiosk.shell.sim_script``), which makes the command testable and scriptable.

The hardware import happens inside the command, so ``ptsp-kiosk --help``
works on a machine without gpiozero.
"""
import queue
import sys
import threading
import time

from kiosk.core import config
from kiosk.core.events import CounterAction, SurveyBoxPressed, TakeTicket

ACTION_WORDS = {"call": "call", "recall": "call again (held)", "skip": "skip"}


def register(sub, common):
    p = sub.add_parser("diag-buttons", parents=[common],
                       help="check buttons and lights: each light in turn, then the name of each button pressed")
    p.add_argument("--seconds", type=float, default=60.0,
                   help="how long to listen for presses (default 60; on mock pins the stdin script may end it sooner)")
    p.add_argument("--light-seconds", type=float, default=0.5,
                   help="how long each light stays on during the light check (default 0.5)")
    p.set_defaults(func=diag_buttons)


def diag_buttons(args):
    """Run the check; 0 when done, 1 without anything to check, 2 when script lines were bad."""
    from drivers.buttons import ButtonBoard, describe_pin_factory, factory_name, parts  # hardware only when used

    out = sys.stdout
    cfg = config.load(args.config)
    wiring = parts(cfg)
    if not wiring:
        print("No buttons or lights configured: set services[].button_pin / led_pin, counters[].call_pin / "
              "skip_pin or [buttons] buzzer_pin / status_led_pin.", file=out)
        return 1
    events = queue.Queue()
    board = ButtonBoard(cfg, events)  # ButtonError (exit 1) names the fix
    try:
        mock = factory_name(board.factory) == "mock"
        print(f"Pin factory: {describe_pin_factory(board.factory, cfg.buttons.pin_factory)}", file=out)
        print(f"Buttons "
              f"{'active low (to ground)' if cfg.buttons.active_low else 'active high'}, "
              f"hold {cfg.buttons.hold_time:g} s", file=out)
        for part in wiring:
            print(f"  GPIO {part.pin:>2}  {part.label:<48} {part.key}", file=out)
        _light_check(board, wiring, args.light_seconds, out)
        problems = _listen(board, cfg, wiring, events, args.seconds, mock, out)
    finally:
        board.close()
    return 2 if problems else 0


def _light_check(board, wiring, seconds, out):
    print("Light check: each light on in turn.", file=out, flush=True)
    for part in wiring:
        if part.kind == "service_light":
            print(f"  on: {part.label} (GPIO {part.pin})", file=out, flush=True)
            board.set_service_light(part.target, "on")
            time.sleep(seconds)
            board.set_service_light(part.target, "off")
        elif part.kind == "status_light":
            print(f"  on: status light (GPIO {part.pin})", file=out, flush=True)
            board.set_status_light("on")
            time.sleep(seconds)
            board.set_status_light("off")
        elif part.kind == "buzzer":
            print(f"  beep: buzzer (GPIO {part.pin})", file=out, flush=True)
            board.beep(0.15, 2)
            time.sleep(max(seconds, 0.6 if seconds else 0))


def _listen(board, cfg, wiring, events, seconds, mock, out):
    """Print each press until ``seconds`` pass (or the stdin script ends); returns script problems."""
    from kiosk.shell.sim_script import run_script

    buttons = {p.target: p for p in wiring if p.kind.endswith("_button")}
    seen = set()
    problems = []
    script_done = threading.Event()
    stop = threading.Event()
    if mock:
        def script():
            try:
                problems.extend(run_script(sys.stdin, board, stop=stop,
                                           report=lambda m: print(f"script: {m}", file=sys.stderr)).problems)
            finally:
                script_done.set()

        threading.Thread(target=script, name="diag-script", daemon=True).start()
        print(f"Mock pins: reading a press script from stdin (press A, hold counter 1, wait 1); "
              f"listening up to {seconds:g} s.", file=out, flush=True)
    else:
        print(f"Press each button now (Ctrl+C ends; listening {seconds:g} s).", file=out, flush=True)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.05)
            except queue.Empty:
                # The script thread queues every event before it ends, so an
                # empty queue after it ended means nothing more will come.
                if script_done.is_set():
                    break
                continue
            target, text = _describe(cfg, event, buttons)
            seen.add(target)
            print(f"  pressed: {text}", file=out, flush=True)
            if isinstance(event, TakeTicket):
                board.set_service_light(event.service, "on")  # lit = tested, and shows the pairing
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    missing = [p for t, p in buttons.items() if t not in seen]
    if missing:
        print("Not pressed:", file=out)
        for p in missing:
            print(f"  GPIO {p.pin:>2}  {p.label}", file=out)
    else:
        print("Every button was pressed.", file=out)
    return problems


def _describe(cfg, event, buttons):
    """(target, text) for an event from the board."""
    if isinstance(event, TakeTicket):
        target = cfg.service(event.service).prefix
        part = buttons.get(target)
        return target, f"{part.label} (GPIO {part.pin})" if part else target
    if isinstance(event, CounterAction):
        target = f"skip {event.counter}" if event.action == "skip" else f"counter {event.counter}"
        part = buttons.get(target)
        name = cfg.counter_name(cfg.counter(event.counter))
        pin = f" (GPIO {part.pin})" if part else ""
        return target, f"{name}: {ACTION_WORDS.get(event.action, event.action)}{pin}"
    if isinstance(event, SurveyBoxPressed):  # the survey box (issue 13)
        target = f"survey {event.score}"
        part = buttons.get(target)
        return target, f"{part.label} (GPIO {part.pin})" if part else target
    return repr(event), repr(event)

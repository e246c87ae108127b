"""Counter staff commands (issue 15): transfer, counter open|close, hash-pin.

``call N --ticket A-012`` lives with ``call`` in kiosk/cli/core.py and uses
``call_ticket`` below. These run in their own process next to the kiosk: each
is one store transaction, and the kiosk shows and announces the result at its
next refresh (a few seconds).
"""
import getpass
import sys

from kiosk.core.errors import OperationRefused
from kiosk.core.staff_pin import check_pin_text, hash_pin


def register(sub, common):
    p = sub.add_parser("transfer", parents=[common],
                       help="send a called ticket to another service's queue (it keeps its number)")
    p.add_argument("ticket", help="the ticket being served, e.g. A-012")
    p.add_argument("--to", required=True, metavar="SERVICE", help="service code or prefix letter")
    p.set_defaults(func=transfer)

    p = sub.add_parser("counter", parents=[common], help="open or close a counter for the rest of the day")
    p.add_argument("counter", help="counter number")
    p.add_argument("state", choices=("open", "close"), help="open: it calls again; close: it receives no call")
    p.set_defaults(func=counter_state)

    p = sub.add_parser("hash-pin", help="make the pin_hash line of a counter's staff page PIN")
    p.add_argument("--stdin", action="store_true", help="read the PIN from standard input (scripts)")
    p.set_defaults(func=hash_pin_command)


def _queue(args):
    from kiosk.cli.core import open_queue

    return open_queue(args)[2]


def _refused(e):
    print(f"refused: {e} ({e.reason})", file=sys.stderr)
    return 1


def transfer(args):
    queue = _queue(args)
    try:
        moved = queue.transfer(args.to, label=args.ticket)
    except OperationRefused as e:
        return _refused(e)
    where = "at the front" if moved.position == "front" else "by its original issue time"
    print(f"{moved.ticket.label}: {moved.from_service} -> {moved.to_service}, waiting {where}")
    return 0


def call_ticket(args):
    """``call N --ticket LABEL``: call a chosen number at counter N."""
    queue = _queue(args)
    try:
        call = queue.call_ticket(args.counter, args.ticket)
    except OperationRefused as e:
        return _refused(e)
    print(f"{call.ticket.label} -> {call.counter_name}: {call.text}")
    return 0


def counter_state(args):
    queue = _queue(args)
    change = queue.set_counter_open(args.counter, args.state == "open")
    state = "open" if change.open else "closed"
    if not change.changed:
        print(f"counter {change.counter} was already {state}")
        return 0
    print(f"counter {change.counter} is now {state}"
          + (f" ({change.finished} marked served)" if change.finished else ""))
    return 0


def hash_pin_command(args):
    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("PIN (4-12 digits): ")
        again = getpass.getpass("PIN again: ")
        if pin != again:
            print("error: the two PINs differ; nothing written", file=sys.stderr)
            return 2
    problem = check_pin_text(pin)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f'pin_hash = "{hash_pin(pin)}"')
    print("# paste this line into the counter's [[counters]] table, then: ptsp-kiosk check-config",
          file=sys.stderr)
    return 0

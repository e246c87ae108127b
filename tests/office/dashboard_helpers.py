"""Fill an office database for the dashboard tests: kiosks with tickets and heartbeats."""
import re

import requests
from office_helpers import DAY, T, Server, ticket_life

from kiosk.office import ingest, validate
from kiosk.office.app import Receiver
from kiosk.office.dashboard import auth

PASSWORD = "rahasia-123"
NOW = T + 3600  # an hour after the first ticket


def fill(db):
    """'demo-kiosk' healthy, 'gudang' silent and out of paper, 'lobi' with a clock problem."""
    events = []
    for n in range(1, 7):
        outcome = "skipped" if n == 6 else "served"
        events += ticket_life(n, service="kunjungan" if n % 2 else "informasi", issued=T + n * 60,
                              wait=60.0 * n, counter=1 + n % 2, outcome=outcome)
    events.append({"seq": 900, "uid": "uid-900", "type": "issued", "time": T + 900, "day": DAY, "ticket_id": 90,
                   "service": "kunjungan", "label": "A-090", "counter": None, "data": {"priority": False}})
    events.append({"seq": 901, "uid": "uid-901", "type": "called", "time": T + 960, "day": DAY, "ticket_id": 90,
                   "service": "kunjungan", "label": "A-090", "counter": 3, "data": {}})
    events.append({"seq": 902, "uid": "uid-902", "type": "issued", "time": T + 990, "day": DAY, "ticket_id": 91,
                   "service": "informasi", "label": "B-091", "counter": None, "data": {"priority": False}})
    for seq, ticket, verb in ((903, 92, "issued"), (904, 92, "print_uncertain"), (905, 93, "issued"),
                              (906, 93, "void"), (907, 94, "issued"), (908, 94, "void")):
        events.append({"seq": seq, "uid": f"uid-{seq}", "type": verb, "time": T + seq + 100, "day": DAY,
                       "ticket_id": ticket, "service": "barang", "label": f"C-{ticket:03d}", "counter": None,
                       "data": {"priority": False} if verb == "issued" else {}})
    hb = {"software": "1.4.0", "backlog": 0, "printer": {"online": True, "paper": "ok", "roll_counter": 1234},
          "clock": {"ntp_synchronized": True, "time": NOW - 60}}
    ingest.store_batch(db, "demo-kiosk", [validate.parse_event(e) for e in events], heartbeat=hb, now=NOW - 60)
    ingest.store_batch(db, "gudang", [], heartbeat={"printer": {"online": True, "paper": "out"}}, now=NOW - 7200)
    ingest.store_batch(db, "lobi", [], heartbeat={"clock": {"ntp_synchronized": False}}, now=NOW - 30)
    auth.add_user(db, "kepala", PASSWORD, "viewer", T)
    auth.add_user(db, "admin", PASSWORD, "admin", T)


class Clock:
    def __init__(self, now=NOW):
        self.now = now

    def __call__(self):
        return self.now


def serve(db, clock=None):
    return Server(db, app=Receiver(db, clock=clock or Clock()))


def login(base, name="kepala", password=PASSWORD):
    """A requests.Session logged in (asserts it worked)."""
    s = requests.Session()
    page = s.get(base + "/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = s.post(base + "/login", data={"csrf": csrf, "user": name, "password": password}, timeout=10,
               allow_redirects=False)
    assert r.status_code == 303, r.text
    return s

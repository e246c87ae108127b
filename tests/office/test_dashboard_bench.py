"""The dashboard bench's filler and measurement, tiny (the figures come from `ptsp-kiosk bench`)."""
from kiosk.bench import dashboard as bench


def test_bench_fills_aggregates_and_measures_both_pages(office_db):
    figures = bench.measure(office_db, kiosks=2, days=8, rounds=2, label=office_db.backend)
    names = {f.name.split(": ", 1)[1]: f for f in figures}
    assert names["events represented (2 kiosks, 8 days)"].value > 2 * 6 * 50
    assert names["devices page p95"].ok is not None and names["history 1 month 1 kiosk p95"].unit == "ms"
    with office_db.read() as q:
        assert q.one("SELECT COUNT(*) FROM devices")[0] == 2
        # 8 days from a Tuesday: one Sunday closed, 7 days x 3 services per kiosk.
        assert q.one("SELECT COUNT(*) FROM daily_service")[0] == 2 * 7 * 3
        assert q.one("SELECT SUM(issued) FROM daily_service")[0] == q.one("SELECT SUM(tickets) FROM "
                                                                          "daily_wait_hist")[0]

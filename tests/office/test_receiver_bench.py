"""The office bench posts what real kiosks post (a bench of refused requests measures nothing)."""
from kiosk.bench import office
from kiosk.office.validate import parse_batch


def test_the_bench_batches_are_valid_ticket_lives_of_the_protocols_batch_size():
    bodies = office._kiosk_bodies("bench-01", 450, batch_size=200)

    batches = [parse_batch(b) for b in bodies]

    assert [len(b.events) for b in batches] == [200, 200, 50]
    events = [e for b in batches for e in b.events]
    assert [e.type for e in events[:4]] == ["issued", "printed", "called", "served"]
    assert len({e.uid for e in events}) == 450 and all(b.device == "bench-01" for b in batches)

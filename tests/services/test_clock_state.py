"""Clock state for the first boot: has systemd-timesyncd synchronised yet?"""
from kiosk.services.clock_state import clock_synchronized, describe


def test_synchronised_once_timesyncd_wrote_its_flag(tmp_path):
    (tmp_path / "timesync").mkdir()
    (tmp_path / "timesync" / "synchronized").touch()
    assert clock_synchronized(tmp_path / "timesync" / "synchronized") is True


def test_not_synchronised_while_timesyncd_runs_without_the_flag(tmp_path):
    (tmp_path / "timesync").mkdir()
    assert clock_synchronized(tmp_path / "timesync" / "synchronized", kernel=lambda: None) is False


def test_unknown_without_timesyncd(tmp_path):
    assert clock_synchronized(tmp_path / "timesync" / "synchronized", kernel=lambda: None) is None


def test_each_state_reads_differently_for_technicians():
    texts = {describe(True), describe(False), describe(None)}
    assert len(texts) == 3
    assert "NOT" in describe(False)


def test_the_c_library_is_looked_up_once_not_on_every_reading(monkeypatch):
    # find_library starts a child process (ldconfig); the clock is read on every
    # ticket, so a lookup per reading cost ~3 ms of every press.
    import ctypes.util

    from kiosk.services import clock_state

    lookups = []
    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: lookups.append(name) or real(name))
    clock_state._libc.cache_clear()
    try:
        readings = [clock_state.kernel_synchronized() for _ in range(5)]
    finally:
        clock_state._libc.cache_clear()
    assert len(set(readings)) == 1
    assert lookups == ["c"]

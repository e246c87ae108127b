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

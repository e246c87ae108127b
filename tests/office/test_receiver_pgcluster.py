"""The throwaway PostgreSQL cluster of the tests and the bench never outlives its owner:
a watchdog stops it and removes its folder however the owner ends (even SIGKILL)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_watchdog_stops_and_cleans_up_when_its_owner_is_killed(tmp_path):
    folder, marker = tmp_path / "cluster", tmp_path / "stopped"
    folder.mkdir()
    code = ("import sys, time\nfrom pathlib import Path\nfrom kiosk.office.pgcluster import start_watchdog\n"
            "w = start_watchdog(Path(sys.argv[1]), ['touch', sys.argv[2]])\nprint(w.pid, flush=True)\n"
            "time.sleep(600)\n")
    owner = subprocess.Popen([sys.executable, "-c", code, str(folder), str(marker)], stdout=subprocess.PIPE,
                             text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT))
    watchdog_pid = int(owner.stdout.readline())
    assert not _exits_within(watchdog_pid, 1.0), "the watchdog acted while its owner was alive"
    assert folder.exists() and not marker.exists()

    owner.kill()
    owner.wait()
    _wait_for_exit(watchdog_pid)

    assert marker.exists(), "the stop command did not run"
    assert not folder.exists(), "the cluster folder was left behind"


def _exits_within(pid, seconds):
    """True when process ``pid`` (not our child) ends within ``seconds`` (pidfd, no polling)."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], seconds)[0])
    finally:
        os.close(fd)


def _wait_for_exit(pid):
    assert _exits_within(pid, 60), "the watchdog did not finish"

"""A kiosk sync process killed with SIGKILL in the middle of a sync, then
started again: every event is still upstream exactly once."""
import pytest

from sync_helpers import (  # noqa: F401  (fixtures)
    FaultServer, assert_exactly_once, fill, kiosk, kiosk_store, token_file, upstream, upstream_db, write_config)


@pytest.mark.parametrize("command", [["sync", "--once"], ["sync"]], ids=["sync-once", "sync-worker"])
def test_sigkill_while_waiting_for_the_answer_then_restart_delivers_exactly_once(
        tmp_path, kiosk_store, upstream_db, token_file, command):
    server = FaultServer(upstream_db[0], faults=["pass", "hang"])
    try:
        cfg = write_config(tmp_path / "kiosk.toml", kiosk_store.path, server.url, token_file, batch_size=5)
        fill(kiosk_store, 12)
        # Given a sync whose first batch was acknowledged and whose second
        # batch the receiver stored but has not answered yet,
        proc = kiosk(*command, "--config", str(cfg))
        try:
            assert server.stored.wait(30), "the kiosk never sent its second batch"
        finally:
            # when the kiosk dies without a chance to clean up,
            proc.kill()
            out, err = proc.communicate(timeout=10)
        assert proc.returncode == -9, err
        assert kiosk_store.backlog() == 7  # 5 acknowledged, 5 stored upstream but unknown, 2 never sent
        assert len(upstream(upstream_db[0])) == 10
        server.release.set()

        # then the next run sends the unknown ones again and the receiver keeps one copy.
        again = kiosk("sync", "--once", "--config", str(cfg))
        out, err = again.communicate(timeout=60)
    finally:
        server.close()
    assert again.returncode == 0, out + err
    assert "pending now: 0" in out
    assert_exactly_once(kiosk_store, upstream_db[0])

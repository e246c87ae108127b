"""Storage problems are named for the technician: storage full, read-only and
permission denied each get their own error class and out-of-order code, at
start-up and while running; check-config and run say "storage is full"."""
import errno
import sqlite3

import pytest

from app_helpers import make_app, printer  # noqa: F401 (fixtures)
from config_corpus_helpers import GOOD, cli, steady
from core_helpers import make_config
from kiosk.core import errors
from kiosk.core.events import TakeTicket
from kiosk.core.errors import StoreBusy, StoreError, StoreFull, StoreIOError, StorePermission, StoreReadOnly
from kiosk.services import store_errors
from kiosk.services.store import Store
from store_fault_helpers import as_nobody, fill, remount_read_only, root_only_folder, tmpfs


# --- what each failure becomes -------------------------------------------------------

@pytest.mark.parametrize("error, cls", [
    (sqlite3.OperationalError("database or disk is full"), StoreFull),
    (sqlite3.OperationalError("attempt to write a readonly database"), StoreReadOnly),
    (sqlite3.OperationalError("database is locked"), StoreBusy),
    (sqlite3.OperationalError("disk I/O error"), StoreIOError),
    (sqlite3.OperationalError("no such table: x"), StoreError),
    (OSError(errno.ENOSPC, "No space left on device"), StoreFull),
    (OSError(errno.EROFS, "Read-only file system"), StoreReadOnly),
    (PermissionError(errno.EACCES, "Permission denied"), StorePermission),
    (OSError(errno.EIO, "Input/output error"), StoreIOError),
])
def test_each_failure_becomes_its_own_store_error(error, cls, tmp_path):
    translated = store_errors.translate(error, tmp_path / "kiosk.db")

    assert type(translated) is cls
    assert f"[{cls.code}]" in str(translated)


def test_the_codes_are_distinct_and_documented_for_the_technician():
    classes = [errors.StoreError, errors.StoreFull, errors.StoreReadOnly, errors.StorePermission, errors.StoreBusy,
               errors.StoreIOError, errors.StoreNotOurs]
    codes = [c.code for c in classes]
    technician = (GOOD.parents[2] / "docs" / "TECHNICIAN.md").read_text(encoding="utf-8")

    assert len(set(codes)) == len(codes)
    assert {"DB-FULL", "DB-RO", "DB-PERM"} <= set(codes)
    assert [c for c in codes if f"\n| {c} | " not in technician] == []


def test_sqlite_result_codes_decide_not_the_english_message(tmp_path):
    # A read-only connection: SQLite's own error, code SQLITE_READONLY.
    path = tmp_path / "kiosk.db"
    Store(path).close()
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("CREATE TABLE x (y)")
    conn.close()

    assert isinstance(store_errors.translate(raised.value, path), StoreReadOnly)


def test_a_read_only_answer_where_the_user_may_not_write_is_permission_denied(tmp_path, monkeypatch):
    monkeypatch.setattr(store_errors.os, "access", lambda path, mode: False)

    error = store_errors.translate(sqlite3.OperationalError("attempt to write a readonly database"), tmp_path / "k.db")

    assert isinstance(error, StorePermission) and "permission denied" in str(error)


# --- while running: a full disk during a write -----------------------------------------

def test_a_database_that_cannot_grow_while_issuing_is_storage_full_and_nothing_half_written(tmp_path):
    cfg = make_config(tmp_path / "kiosk.db")
    store = Store(cfg.storage.database)
    # SQLite's own limit gives the same SQLITE_FULL as a full card, without root.
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StoreFull) as raised:
        for _ in range(500):
            store.issue("2025-06-02", cfg.services[1], False, 1000.0)

    assert raised.value.code == "DB-FULL" and "storage is full" in str(raised.value)
    assert not store.conn.in_transaction
    issued = store.tickets("2025-06-02")
    assert len(store.events(types=["issued"])) == len(issued)  # no ticket without its event, or the reverse
    store.close()


def test_a_real_tmpfs_that_fills_up_gives_storage_full_while_running(tmp_path):
    with tmpfs(tmp_path / "card", size="512k") as card:
        cfg = make_config(card / "kiosk.db")
        store = Store(cfg.storage.database)
        fill(card)
        with pytest.raises(StoreFull) as raised:
            for _ in range(200):  # the pages left over from the filler fill up
                store.issue("2025-06-02", cfg.services[1], False, 1000.0)
        store.close()

    assert raised.value.code == "DB-FULL"


# --- at start-up -----------------------------------------------------------------------

def test_a_full_disk_at_start_up_is_named_by_check_config_and_run(tmp_path, capsys, monkeypatch):
    with tmpfs(tmp_path / "card", size="64k") as card:
        fill(card)
        config = tmp_path / "kiosk.toml"
        text = steady((GOOD / "base.toml").read_text()).replace('database = "kiosk.db"',
                                                               f'database = "{card}/kiosk.db"')
        config.write_text(text)

        for command in (["check-config", config], ["run", "--headless", "--config", config]):
            status, _, err = cli(capsys, *command)
            assert status == 2
            assert "storage.database: storage is full: only 0 KiB free" in err


def test_a_full_disk_at_store_open_is_storage_full_not_a_disk_io_error(tmp_path):
    with tmpfs(tmp_path / "card", size="64k") as card:
        fill(card)
        with pytest.raises(StoreFull) as raised:
            Store(card / "kiosk.db")

    assert "storage is full" in str(raised.value)


def test_a_disk_io_error_on_a_full_card_is_storage_full(tmp_path):
    # SQLite reports a WAL index that cannot grow as "disk I/O error" (issue 11).
    io_error = sqlite3.OperationalError("disk I/O error")
    with tmpfs(tmp_path / "card", size="64k") as card:
        fill(card)
        on_full_card = store_errors.translate(io_error, card / "kiosk.db")

    assert isinstance(on_full_card, StoreFull)
    assert isinstance(store_errors.translate(io_error, tmp_path / "kiosk.db"), StoreIOError)


def test_an_injected_full_disk_at_open_is_storage_full(tmp_path, monkeypatch):
    def connect(*args, **kw):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("kiosk.services.store.sqlite3.connect", connect)

    with pytest.raises(StoreFull):
        Store(tmp_path / "kiosk.db")


def test_a_read_only_file_system_is_read_only_at_start_up(tmp_path):
    with tmpfs(tmp_path / "card") as card:
        Store(card / "kiosk.db").close()
        remount_read_only(card)
        with pytest.raises(StoreReadOnly) as existing:
            Store(card / "kiosk.db")
        with pytest.raises(StoreReadOnly) as new:
            Store(card / "new.db")

    assert existing.value.code == new.value.code == "DB-RO"
    assert "storage is read-only" in str(new.value)


def test_a_database_turned_read_only_while_running_is_read_only(tmp_path):
    # Linux refuses to remount a file system read-only under an open writer;
    # SQLite's query_only gives the same SQLITE_READONLY the store then meets.
    cfg = make_config(tmp_path / "kiosk.db")
    store = Store(cfg.storage.database)
    store.conn.execute("PRAGMA query_only = 1")

    with pytest.raises(StoreReadOnly) as raised:
        store.issue("2025-06-02", cfg.services[1], False, 1000.0)
    store.close()

    assert raised.value.code == "DB-RO"


def test_a_folder_the_kiosk_user_may_not_write_is_permission_denied(tmp_path):
    with root_only_folder() as folder:
        result = as_nobody(lambda: Store(folder / "kiosk.db"))

    assert isinstance(result, StorePermission), result
    assert result.code == "DB-PERM" and "permission denied" in str(result)


# --- the running kiosk -------------------------------------------------------------------


def test_a_running_kiosk_whose_storage_fills_up_is_out_of_order_with_db_full(make_app):
    app = make_app()
    pages = app.store.conn.execute("PRAGMA page_count").fetchone()[0]
    app.store.conn.execute(f"PRAGMA max_page_count = {pages}")

    def out_of_order():
        fault = app.machine.fault()
        return fault is not None and fault.code == "DB-FULL"

    for _ in range(200):  # the free pages of the file go first
        app.events.put(TakeTicket("barang", False, "button"))
        app.step(0)
        if out_of_order():
            break

    assert out_of_order()
    assert "storage is full" in app.machine.fault().detail

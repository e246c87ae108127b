"""The office dashboard over real HTTP (waitress) on SQLite and PostgreSQL."""
import re

import pytest
import requests
from dashboard_helpers import NOW, PASSWORD, Clock, fill, login, serve

from kiosk.office.dashboard import auth


@pytest.fixture
def site(office_db):
    fill(office_db)
    clock = Clock()
    server = serve(office_db, clock)
    server.clock = clock
    yield server
    server.close()


def test_pages_need_login_and_login_needs_csrf(site):
    r = requests.get(site.base + "/devices", allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    r = requests.post(site.base + "/login", data={"user": "kepala", "password": PASSWORD}, timeout=10)
    assert r.status_code == 403 and "kedaluwarsa" in r.text
    assert "/api/" not in r.text  # the receiver's API keeps its own paths
    assert requests.get(site.base + "/healthz", timeout=10).status_code == 200


def test_wrong_password_is_refused_then_rate_limited(site):
    s = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(site.base + "/login", timeout=10).text).group(1)
    codes = [s.post(site.base + "/login", data={"csrf": csrf, "user": "kepala", "password": "salah-sekali"},
                    timeout=10).status_code for _ in range(auth.MAX_FAILURES_PER_USER + 1)]
    assert codes[:auth.MAX_FAILURES_PER_USER] == [401] * auth.MAX_FAILURES_PER_USER
    assert codes[-1] == 429
    # Even the right password waits out the window...
    r = s.post(site.base + "/login", data={"csrf": csrf, "user": "kepala", "password": PASSWORD}, timeout=10)
    assert r.status_code == 429 and "15 menit" in r.text
    site.clock.now += auth.RATE_WINDOW_S + 1
    r = s.post(site.base + "/login", data={"csrf": csrf, "user": "kepala", "password": PASSWORD}, timeout=10,
               allow_redirects=False)
    assert r.status_code == 303


def test_session_expires(site):
    s = login(site.base)
    assert s.get(site.base + "/devices", timeout=10, allow_redirects=False).status_code == 200
    site.clock.now += auth.SESSION_SECONDS + 1
    assert s.get(site.base + "/devices", timeout=10, allow_redirects=False).status_code == 303


def test_devices_flag_silent_paper_and_clock_in_words(site):
    page = login(site.base).get(site.base + "/devices", timeout=10).text
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr class="row-\w+" data-device="([^"]+)">.*?</tr>', page)}
    assert set(rows) == {"demo-kiosk", "gudang", "lobi"}
    assert 'class="row-ok"' in rows["demo-kiosk"] and "Normal" in rows["demo-kiosk"] and "1234" in rows["demo-kiosk"]
    assert 'class="row-bad"' in rows["gudang"]
    assert "Diam (tidak ada kontak)" in rows["gudang"] and "Kertas habis" in rows["gudang"]
    assert "2 jam" in rows["gudang"]
    assert 'class="row-bad"' in rows["lobi"] and "Masalah jam" in rows["lobi"] and "NTP belum" in rows["lobi"]
    assert "Diam" not in rows["lobi"]


def test_english_switch(site):
    s = login(site.base)
    s.get(site.base + "/lang?to=en", timeout=10)
    page = s.get(site.base + "/devices", timeout=10).text
    assert "Out of paper" in page and "Silent (no contact)" in page and 'lang="en"' in page


def test_today_per_kiosk(site):
    page = login(site.base).get(site.base + "/today", timeout=10).text
    card = re.search(r'<section class="card" data-device="demo-kiosk">.*?</section>', page).group(0)
    # 11 issued (6 lives + one at counter 3 + one waiting + one uncertain + two void), 5 served.
    assert "<dd>11</dd>" in card and "<dd>5</dd>" in card
    assert "informasi: <b>1</b>" in card and "kunjungan:" not in card
    assert "Loket 3: <b>A-090</b>" in card
    assert 'http-equiv="refresh"' in page
    # waits 1..6 minutes and A-090 after 1 minute: the median is 3 minutes (nearest rank).
    assert "3 menit" in card


def test_history_charts_tables_and_csv(site):
    s = login(site.base)
    page = s.get(site.base + "/history", params={"from": "2026-04-01", "to": "2026-04-30"}, timeout=10).text
    assert page.count("<svg") == 4 and page.count("<table") >= 4
    assert "Tiket per jam menurut hari" in page
    csv = s.get(site.base + "/export/counters.csv", params={"from": "2026-04-01", "to": "2026-04-30"}, timeout=10)
    assert csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "counter,called,served,skipped,avg_service_min"
    assert sum(int(line.split(",")[2]) for line in lines[1:]) == 5
    problems = s.get(site.base + "/export/problems.csv", params={"from": "2026-04-01", "to": "2026-04-30"},
                     timeout=10).content.decode("utf-8-sig").splitlines()
    assert problems[1] == "2026-04-16,11,5,1,2,1"


@pytest.mark.parametrize("params", [{"from": "2026-13-01"}, {"from": "2026-04-02", "to": "2026-04-01"},
                                    {"from": "2020-01-01", "to": "2026-01-01"}, {"from": "x\x00"},
                                    {"from": "9" * 5000}])
def test_history_bad_period_is_a_clear_400(site, params):
    r = login(site.base).get(site.base + "/history", params=params, timeout=10)
    assert r.status_code == 400 and ("Invalid period" in r.text or "NUL" in r.text or "too long" in r.text)


def test_csv_cells_cannot_become_formulas(site, office_db):
    from kiosk.office import ingest
    ingest.store_batch(office_db, "evil", [], heartbeat={"software": "=HYPERLINK(1)"}, now=NOW)
    text = login(site.base).get(site.base + "/export/devices.csv", timeout=10).text
    assert "'=HYPERLINK(1)" in text


def test_viewer_cannot_admin_and_post_needs_csrf(site):
    s = login(site.base)
    assert s.get(site.base + "/admin", timeout=10).status_code == 403
    a = login(site.base, "admin")
    r = a.post(site.base + "/admin", data={"action": "add_user", "name": "x", "password": "p" * 8, "role": "viewer"},
               timeout=10)
    assert r.status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', a.get(site.base + "/admin", timeout=10).text).group(1)
    r = a.post(site.base + "/admin", data={"csrf": csrf, "action": "add_user", "name": "baru",
                                           "password": "kata-sandi-baru", "role": "viewer"}, timeout=10)
    assert r.status_code == 200 and "baru" in r.text
    login(site.base, "baru", "kata-sandi-baru")
    r = a.post(site.base + "/admin", data={"csrf": csrf, "action": "add_token", "name": "kios-7"}, timeout=10)
    assert "Token baru untuk kios-7" in r.text
    a.post(site.base + "/admin", data={"csrf": csrf, "action": "disable_user", "name": "kepala"}, timeout=10)
    assert s.get(site.base + "/devices", timeout=10, allow_redirects=False).status_code == 303


def test_hostile_requests_get_clear_answers(site):
    s = login(site.base)
    assert s.post(site.base + "/login", data="a" * 20000, timeout=10).status_code == 400
    assert s.get(site.base + "/static/../app.py", timeout=10).status_code == 404
    assert s.get(site.base + "/nope", timeout=10).status_code == 404
    css = s.get(site.base + "/static/dashboard.css", timeout=10)
    assert css.status_code == 200 and "@media print" in css.text and "@page" in css.text
    r = requests.get(site.base + "/devices", cookies={"ptsp_session": "x" * 5000}, allow_redirects=False, timeout=10)
    assert r.status_code in (303, 400, 431)


def test_password_hash_is_scrypt_and_salted():
    a, b = auth.hash_password("sama-saja"), auth.hash_password("sama-saja")
    assert a.startswith("scrypt$") and a != b
    assert auth.check_password("sama-saja", a) and not auth.check_password("lain-lagi", a)
    assert not auth.check_password("x", "garbage")
    with pytest.raises(auth.UserError):
        auth.add_user(None, "nama jelek", "p" * 8, "viewer", 0)


def test_cli_add_user(office_db_url, tmp_path):
    import subprocess
    import sys
    run = lambda *a, stdin="": subprocess.run([sys.executable, "-m", "kiosk", "receiver-add-user", *a,  # noqa: E731
                                               "--db", office_db_url], input=stdin, capture_output=True,
                                              text=True, timeout=60)
    r = run("kepala", "--role", "admin", stdin="kata-sandi-kuat\n")
    assert r.returncode == 0, r.stderr
    assert "kepala (admin) saved" in r.stdout
    from kiosk.office.db import open_database
    db = open_database(office_db_url)
    try:
        assert auth.login(db, "kepala", "kata-sandi-kuat", "127.0.0.1", 1e9) is not None
        assert [u["role"] for u in auth.list_users(db)] == ["admin"]
    finally:
        db.close()
    r = run("kepala", stdin="pendek\n")
    assert r.returncode == 2 and "8 to 1024" in r.stderr
    r = run("bad name", stdin="kata-sandi-kuat\n")
    assert r.returncode == 2 and "user name" in r.stderr


def test_satisfaction_hidden_until_surveys_exist(site, office_db):
    from test_office_ikm import ROWS, ingest, response_event
    s = login(site.base)
    assert "/satisfaction" not in s.get(site.base + "/devices", timeout=10).text
    assert "Belum ada survei" in s.get(site.base + "/satisfaction", timeout=10).text
    ingest(office_db, "blora-1", [response_event(i + 1, r) for i, r in enumerate(ROWS)])
    assert 'href="/satisfaction"' in s.get(site.base + "/devices", timeout=10).text
    page = s.get(site.base + "/satisfaction", params={"from": "2026-04-01", "to": "2026-04-30"}, timeout=10).text
    assert "<b>79.63</b>" in page and "Baik" in page and "Biaya/tarif" in page and "<svg" in page
    csv = s.get(site.base + "/export/ikm.csv", params={"from": "2026-04-01", "to": "2026-04-30"}, timeout=10).text
    assert "blora-1,2026-04,3,79.63,B,biaya,Biaya/tarif,2.3333,58.33,D" in csv


def test_undecodable_and_nul_input_is_a_clear_400(site):
    s = login(site.base)
    r = s.get(site.base + "/history?from=%ff%fe", timeout=10)
    assert r.status_code == 400 and "cannot be read" in r.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', requests.get(site.base + "/login", timeout=10).text)
    r = requests.post(site.base + "/login", data={"csrf": csrf.group(1), "user": "kepala\x00", "password": "x"},
                      timeout=10)
    assert r.status_code == 400 and "NUL" in r.text
    r = requests.post(site.base + "/login", data=b"user=%ff", timeout=10,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400


def test_history_filters_by_kiosk(site):
    s = login(site.base)
    period = {"from": "2026-04-01", "to": "2026-04-30"}
    assert "Tidak ada data" in s.get(site.base + "/history", params={**period, "device": "gudang"}, timeout=10).text
    page = s.get(site.base + "/history", params={**period, "device": ["gudang", "demo-kiosk"]}, timeout=10).text
    assert page.count("<svg") == 4 and "gudang, demo-kiosk" in page
    csv = s.get(site.base + "/export/problems.csv", params={**period, "device": "lobi"}, timeout=10)
    assert csv.content.decode("utf-8-sig").splitlines() == ["day,issued,served,no_show,void,uncertain"]


def test_logout_ends_the_session(site):
    s = login(site.base)
    page = s.get(site.base + "/devices", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    cookie = s.cookies.get("ptsp_session")
    assert s.post(site.base + "/logout", data={"csrf": csrf}, timeout=10, allow_redirects=False).status_code == 303
    again = requests.get(site.base + "/devices", cookies={"ptsp_session": cookie}, allow_redirects=False, timeout=10)
    assert again.status_code == 303  # the old cookie no longer works, even if a client kept it

"""The dashboard's WSGI app: login, the pages, CSV export, admin, static files."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from html import escape
from importlib import resources
from typing import Callable, Iterable, Optional

from kiosk.office import ikm, tokens
from kiosk.office.dashboard import auth, data, pages
from kiosk.office.dashboard.texts import LANGUAGES, text, weekdays
from kiosk.office.dashboard.web import (BadRequest, Request, Response, StartResponse, cookie, csv_response, html,
                                        parse_request, query_string, redirect)
from kiosk.office.db import Database, StorageError

log = logging.getLogger("kiosk.office.dashboard")
SESSION_COOKIE = "ptsp_session"
LOGIN_CSRF_COOKIE = "ptsp_login_csrf"
LANG_COOKIE = "ptsp_lang"
_STATIC = {"dashboard.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"}


class Dashboard:
    """WSGI app for every path the receiver does not answer itself."""

    def __init__(self, db: Database, clock: Callable[[], float]) -> None:
        self.db = db
        self.clock = clock

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        lang = "id"
        try:
            req = parse_request(environ)
            lang = req.cookies.get(LANG_COOKIE, "id") if req.cookies.get(LANG_COOKIE) in LANGUAGES else "id"
            response = self.route(req, lang)
        except BadRequest as e:
            response = html(pages.layout("400", f'<p class="error">{escape(str(e))}</p>', lang, None),
                            "400 Bad Request")
        except StorageError:
            log.exception("dashboard: storage error")
            response = html(pages.layout("503", f'<p class="error">{escape(text("storage", lang))}</p>', lang, None),
                            "503 Service Unavailable", [("Retry-After", "10")])
        return response(start_response)

    # --- routing -------------------------------------------------------------
    def route(self, req: Request, lang: str) -> Response:
        path = req.path
        if path.startswith("/static/"):
            return self.static(path[len("/static/"):])
        if path == "/lang":
            to = req.arg("to")
            return redirect("/", [cookie(LANG_COOKIE, to if to in LANGUAGES else "id", 365 * 86400, req.https)])
        if path == "/login":
            return self.login(req, lang)
        session = auth.session_for(self.db, req.cookies.get(SESSION_COOKIE, ""), self.clock())
        if session is None:
            return redirect("/login")
        if req.method == "POST" and not auth.same_token(req.field("csrf"), session.csrf):
            return html(pages.layout("403", f'<p class="error">{escape(text("csrf", lang))}</p>', lang, session),
                        "403 Forbidden")
        if path == "/logout" and req.method == "POST":
            auth.logout(self.db, req.cookies.get(SESSION_COOKIE, ""))
            return redirect("/login", [cookie(SESSION_COOKIE, "", 0, req.https)])
        if req.method not in ("GET", "HEAD") and path != "/admin":
            return html("method not allowed", "405 Method Not Allowed", [("Allow", "GET")])
        page = {"/": self.devices, "/devices": self.devices, "/today": self.today, "/history": self.history,
                "/satisfaction": self.satisfaction, "/admin": self.admin}.get(path)
        if page is not None:
            return page(req, lang, session)
        if path.startswith("/export/") and path.endswith(".csv"):
            return self.export(req, path[len("/export/"):-4], lang)
        return html(pages.layout("404", f"<p>{escape(text('not_found', lang))}</p>", lang, session), "404 Not Found")

    def _page(self, title_key: str, body: str, lang: str, session: auth.Session, refresh: Optional[int] = None
              ) -> Response:
        return html(pages.layout(text(title_key, lang), body, lang, session, title_key, refresh,
                                 show_ikm=data.has_surveys(self.db)))

    # --- login ---------------------------------------------------------------
    def login(self, req: Request, lang: str) -> Response:
        token = req.cookies.get(LOGIN_CSRF_COOKIE, "")
        if req.method != "POST":
            token = token if 20 <= len(token) <= 64 else secrets.token_urlsafe(24)
            return html(pages.login_page(lang, token), headers=[cookie(LOGIN_CSRF_COOKIE, token, 3600, req.https)])
        name, password = req.field("user").strip(), req.field("password")
        if not auth.same_token(req.field("csrf"), token):
            return html(pages.login_page(lang, token or secrets.token_urlsafe(24), text("csrf", lang), name),
                        "403 Forbidden")
        now = self.clock()
        if len(name) > auth.MAX_NAME or len(password) > auth.MAX_PASSWORD:
            return html(pages.login_page(lang, token, text("bad_login", lang)), "401 Unauthorized")
        if auth.rate_limited(self.db, name, req.address, now):
            return html(pages.login_page(lang, token, text("rate_limited", lang), name), "429 Too Many Requests",
                        [("Retry-After", str(auth.RATE_WINDOW_S))])
        result = auth.login(self.db, name, password, req.address, now)
        if result is None:
            return html(pages.login_page(lang, token, text("bad_login", lang), name), "401 Unauthorized")
        value, _session = result
        return redirect("/devices", [cookie(SESSION_COOKIE, value, auth.SESSION_SECONDS, req.https)])

    # --- pages ---------------------------------------------------------------
    def devices(self, req: Request, lang: str, session: auth.Session) -> Response:
        rows = data.device_status(self.db, self.clock())
        return self._page("devices", pages.devices_body(rows, lang), lang, session, refresh=60)

    def today(self, req: Request, lang: str, session: auth.Session) -> Response:
        return self._page("today", pages.today_body(data.today(self.db, self.clock()), lang), lang, session,
                          refresh=30)

    def _today(self) -> dt.date:
        """The office's date (WIB: the receiver serves Indonesian offices)."""
        return dt.datetime.fromtimestamp(self.clock(), dt.timezone(dt.timedelta(hours=7))).date()

    def _period(self, req: Request) -> tuple[str, str, list[str]]:
        """(first, last, kiosks) from the query; default: this month so far."""
        today = self._today()
        first = data.parse_day(req.arg("from")) if req.arg("from") else today.replace(day=1)
        last = data.parse_day(req.arg("to")) if req.arg("to") else today
        if first is None or last is None or last < first or (last - first).days >= data.MAX_PERIOD_DAYS:
            raise BadRequest(text("bad_period", "en") + " / " + text("bad_period", "id"))
        chosen = [d for d in req.query.get("device", []) if d]
        if len(chosen) > 200 or any(len(d) > 64 for d in chosen):
            raise BadRequest("too many or too long kiosk names")
        return first.isoformat(), last.isoformat(), chosen

    def history(self, req: Request, lang: str, session: auth.Session) -> Response:
        first, last, chosen = self._period(req)
        body = pages.period_form(first, last, chosen, data.device_names(self.db), lang)
        body += pages.month_links(self._today(), chosen, lang)
        body += pages.history_body(data.history(self.db, first, last, chosen), first, last, chosen, lang)
        return self._page("history", body, lang, session)

    def satisfaction(self, req: Request, lang: str, session: auth.Session) -> Response:
        first, last, chosen = self._period(req)
        months = [m for m in ikm.monthly_index(self.db, first[:8] + "01", last, None, lang)
                  if not chosen or m["device"] in chosen]
        body = pages.period_form(first, last, chosen, data.device_names(self.db), lang, "/satisfaction")
        body += pages.satisfaction_body(months, lang)
        if months:
            body += f'<p class="actions"><a href="/export/ikm.csv?{req_qs(first, last, chosen)}">' \
                    f'{escape(text("csv", lang))}</a></p>'
        return self._page("satisfaction", body, lang, session)

    # --- export --------------------------------------------------------------
    def export(self, req: Request, name: str, lang: str) -> Response:
        t = lambda k: text(k, lang)  # noqa: E731
        if name == "devices":
            rows = data.device_status(self.db, self.clock())
            cols = ["device", "registered", "last_seen", "silence_s", "printer_online", "paper", "roll_counter",
                    "cover_open", "clock_offset_s", "ntp_synchronized", "clock_problem", "backlog", "software",
                    "fault", "flags"]
            return csv_response("devices.csv", cols, ([" ".join(r[c]) if c == "flags" else r[c] for c in cols]
                                                      for r in rows))
        if name == "today":
            out = []
            for k in data.today(self.db, self.clock()):
                services = sorted(set(k["services"]) | set(k["waiting"]))
                for s in services or [""]:
                    figures = k["services"].get(s, {})
                    out.append([k["device"], k["day"], s, k["waiting"].get(s, 0), figures.get("issued", 0),
                                figures.get("served", 0), k["median_wait_min"]])
            return csv_response("today.csv", ["device", "day", "service", "waiting", "issued", "served",
                                              "median_wait_min_kiosk"], out)
        first, last, chosen = self._period(req)
        suffix = f"{first}_{last}.csv"
        if name == "ikm":
            months = [m for m in ikm.monthly_index(self.db, first[:8] + "01", last, None, lang)
                      if not chosen or m["device"] in chosen]
            return csv_response("ikm_" + suffix, ["device", "month", "respondents", "index", "category", "element",
                                                  "name", "nrr", "converted", "element_category"],
                                ([m["device"], m["month"], m["respondents"], m["index"], m["category"],
                                  e["code"], e["name"], e["nrr"], e["converted"], e["category"]]
                                 for m in months for e in m["elements"]))
        h = data.history(self.db, first, last, chosen)
        if name == "hours":
            days = weekdays("en")
            return csv_response("hours_" + suffix, ["weekday"] + [f"{x:02d}" for x in range(24)],
                                ([days[w]] + h["hours"][w] for w in range(7)))
        if name in ("waits", "counters", "problems"):
            rows = h[name]
            cols = list(rows[0]) if rows else {"waits": ["day", "service", "tickets", "median_min", "p90_min"],
                                               "counters": ["counter", "called", "served", "skipped",
                                                            "avg_service_min"],
                                               "problems": ["day", "issued", "served", "no_show", "void",
                                                            "uncertain"]}[name]
            return csv_response(f"{name}_" + suffix, cols, ([r[c] for c in cols] for r in rows))
        return html(pages.layout("404", f"<p>{escape(t('not_found'))}</p>", lang, None), "404 Not Found")

    # --- admin ---------------------------------------------------------------
    def admin(self, req: Request, lang: str, session: auth.Session) -> Response:
        t = lambda k: text(k, lang)  # noqa: E731
        if session.role != "admin":
            return html(pages.layout("403", f'<p class="error">{escape(t("forbidden"))}</p>', lang, session),
                        "403 Forbidden")
        message = ""
        if req.method == "POST":
            action = req.field("action")
            try:
                message = self._admin_action(action, req, session, lang)
            except (auth.UserError, ValueError) as e:
                message = str(e)
        return self._page("admin", self._admin_body(session, lang, message), lang, session)

    def _admin_action(self, action: str, req: Request, session: auth.Session, lang: str) -> str:
        name = req.field("name").strip()
        if action == "add_user":
            auth.add_user(self.db, name, req.field("password"), req.field("role"), self.clock())
            return text("msg_user_saved", lang).format(name=name)
        if action in ("disable_user", "enable_user"):
            if name == session.user:
                raise auth.UserError(text("msg_not_self", lang))
            auth.set_disabled(self.db, name, action == "disable_user")
            return text("msg_user_disabled" if action == "disable_user" else "msg_user_enabled", lang).format(name=name)
        if action == "add_token":
            token = tokens.add_token(self.db, name, req.field("role") or "device", self.clock())
            return text("msg_token", lang).format(name=name, token=token)
        if action == "delete_token":
            deleted = tokens.delete_token(self.db, name)
            return text("msg_token_deleted" if deleted else "msg_no_token", lang).format(name=name)
        raise auth.UserError("unknown action")

    def _admin_body(self, session: auth.Session, lang: str, message: str) -> str:
        t = lambda k: text(k, lang)  # noqa: E731
        csrf = f'<input type="hidden" name="csrf" value="{escape(session.csrf)}">'

        def button(action: str, name: str, label: str) -> str:
            return (f'<form method="post" action="/admin" class="inline">{csrf}<input type="hidden" name="action" '
                    f'value="{action}"><input type="hidden" name="name" value="{escape(name)}">'
                    f'<button type="submit">{escape(label)}</button></form>')

        users = auth.list_users(self.db)
        user_rows = "".join(
            f"<tr><td>{escape(u['name'])}</td><td>{escape(u['role'])}</td>"
            f"<td>{escape(t('disabled') if u['disabled'] else t('active'))}</td>"
            f"<td>{escape(pages._when(u['last_login'], lang))}</td><td>"
            + button("enable_user" if u["disabled"] else "disable_user", u["name"],
                     t("enable") if u["disabled"] else t("disable")) + "</td></tr>" for u in users)
        with self.db.read() as q:
            token_rows = q.all("SELECT name, role, created FROM tokens ORDER BY name")
        tokens_html = "".join(f"<tr><td>{escape(n)}</td><td>{escape(r)}</td><td>{escape(pages._when(c, lang))}</td>"
                              f"<td>{button('delete_token', n, t('delete'))}</td></tr>" for n, r, c in token_rows)
        note = f'<p class="message" role="status">{escape(message)}</p>' if message else ""
        return (f"{note}<h2>{escape(t('users'))}</h2><div class=scroll><table><thead><tr><th>{escape(t('user'))}"
                f"</th><th>{escape(t('role'))}</th><th>{escape(t('status'))}</th><th>{escape(t('last_login'))}</th>"
                f"<th></th></tr></thead><tbody>{user_rows}</tbody></table></div>"
                f'<form method="post" action="/admin" class="period">{csrf}<input type="hidden" name="action" '
                f'value="add_user"><label>{escape(t("user"))}<input name="name" required maxlength="64"></label>'
                f'<label>{escape(t("password"))}<input name="password" type="password" required minlength="8" '
                f'autocomplete="new-password"></label><label>{escape(t("role"))}<select name="role">'
                f'<option>viewer</option><option>admin</option></select></label>'
                f'<button type="submit">{escape(t("add"))}</button></form>'
                f"<h2>{escape(t('tokens'))}</h2><div class=scroll><table><thead><tr><th>{escape(t('device'))}</th>"
                f"<th>{escape(t('role'))}</th><th>{escape(t('created'))}</th><th></th></tr></thead>"
                f"<tbody>{tokens_html}</tbody></table></div>"
                f'<form method="post" action="/admin" class="period">{csrf}<input type="hidden" name="action" '
                f'value="add_token"><label>{escape(t("device"))}<input name="name" required maxlength="64"></label>'
                f'<label>{escape(t("role"))}<select name="role"><option>device</option><option>viewer</option>'
                f'</select></label><button type="submit">{escape(t("add"))}</button></form>')

    # --- static --------------------------------------------------------------
    def static(self, name: str) -> Response:
        kind = _STATIC.get(name)
        if kind is None:
            return Response("404 Not Found", b"not found", "text/plain; charset=utf-8")
        body = resources.files("kiosk.office.dashboard").joinpath("static", name).read_bytes()
        return Response("200 OK", body, kind)


def req_qs(first: str, last: str, chosen: list[str]) -> str:
    return query_string(**{"from": first, "to": last, "device": chosen})

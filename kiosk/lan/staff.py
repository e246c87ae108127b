"""The staff page: one page per counter, for counters without wired buttons.

A WSGI app that the LAN server (kiosk/lan/server.py) mounts under /staff when
``[staff] enabled``. Routes, below SCRIPT_NAME:

    GET  /                 choose a counter
    GET  /N/               the counter's page, or its PIN login
    POST /N/login          form: pin, csrf (a pre-login token, cookie + field)
    POST /N/logout         header X-CSRF-Token
    GET  /N/state          JSON: what the page shows (current ticket, waiting, last calls)
    POST /N/action         JSON {"action": next|recall|skip|transfer|call|open|close,
                           "service": code, "label": "A-012"}, header X-CSRF-Token
    GET  /static/NAME      the page's CSS and script (shipped in the package, no CDN)

Every action goes to the kiosk's main loop as the same runtime events the
counter buttons make (``submit(event, timeout) -> Reply``), so the screen,
the announcement and the display boards follow. The page never touches the
store itself.
"""
from __future__ import annotations

import dataclasses
import html
import json
import logging
import re
import secrets
import time
from pathlib import Path
from string import Template
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs

from kiosk.core import business_day, texts
from kiosk.core import events as E
from kiosk.core.config import Config
from kiosk.lan import staff_texts as ST
from kiosk.lan.staff_auth import StaffAuth, same_token

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("staff_static")
STATIC_FILES = {"staff.css": "text/css; charset=utf-8", "staff.js": "text/javascript; charset=utf-8"}
MAX_BODY = 4096  # the largest honest request is a PIN or a label
SESSION_COOKIE, PRE_COOKIE, LANG_COOKIE = "ptsp_staff", "ptsp_staff_pre", "ptsp_staff_lang"
_COUNTER_PATH = re.compile(r"^/(\d{1,6})(/[a-z]*)?$", re.ASCII)
_SECURITY_HEADERS = [
    ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
]

Submit = Callable[..., Any]


class HttpError(Exception):
    """Ends a request with ``status`` and a message code of staff_texts."""

    def __init__(self, status: str, code: str) -> None:
        super().__init__(code)
        self.status, self.code = status, code


def make_app(cfg: Config, lan_state: Any) -> "StaffApp":
    """The app the LAN server mounts: requests go through ``lan_state.submit``."""
    return StaffApp(cfg, lan_state.submit)


class StaffApp:
    """The staff page's WSGI application. ``submit(event, timeout)`` hands an
    event to the main loop and returns the machine's Reply (ok, message, data)."""

    def __init__(self, cfg: Config, submit: Submit, clock: Callable[[], float] = time.time,
                 timeout: float = 5.0) -> None:
        self.cfg = cfg
        self.submit = submit
        self.clock = clock
        self.timeout = timeout
        self.auth = StaffAuth(cfg, clock)
        self._templates = {name: Template((STATIC / f"{name}.html").read_text(encoding="utf-8"))
                           for name in ("index", "login", "page")}

    # ------------------------------------------------------------------ routing
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            return self._route(environ, start_response)
        except HttpError as e:
            return self._json(start_response, e.status, {"ok": False, "message": ST.text(e.code, self._lang(environ))})
        except Exception:  # a bug must not show a traceback or stop the server
            log.exception("staff page error")
            return self._json(start_response, "500 Internal Server Error", {"ok": False, "message": "error"})

    def _route(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):], start_response)
        if path in ("", "/"):
            return self._html(start_response, "200 OK", self._index(environ), self._lang_cookie(environ))
        m = _COUNTER_PATH.match(path)
        if not m or not self._counter_known(int(m.group(1))):
            raise HttpError("404 Not Found", "unknown_counter")
        counter, rest = int(m.group(1)), m.group(2)
        if rest is None:
            return self._redirect(start_response, f"{self._base(environ)}/{counter}/")
        routes = {("/", "GET"): self._page, ("/login", "POST"): self._login, ("/logout", "POST"): self._logout,
                  ("/state", "GET"): self._state, ("/action", "POST"): self._action}
        handler = routes.get((rest, method))
        if handler is None:
            allowed = [meth for (p, meth) in routes if p == rest]
            if allowed:
                return self._json(start_response, "405 Method Not Allowed", {"ok": False, "message": "method"},
                                  [("Allow", ", ".join(allowed))])
            raise HttpError("404 Not Found", "bad_request")
        return handler(environ, start_response, counter)

    def _counter_known(self, number: int) -> bool:
        return any(c.number == number for c in self.cfg.counters)

    # ------------------------------------------------------------------ pages
    def _index(self, environ: dict) -> str:
        lang, base = self._lang(environ), self._base(environ)
        links = "".join(f'<a class="big" href="{base}/{c.number}/">{html.escape(self._counter_name(c, lang))}</a>'
                        for c in self.cfg.counters if c.pin_hash)
        body = links or f'<p class="note">{html.escape(ST.text("no_counters", lang))}</p>'
        return self._render("index", environ, lang, title=ST.text("choose_counter", lang), body=body, counter="")

    def _page(self, environ: dict, start_response: Callable, counter: int) -> Iterable[bytes]:
        lang = self._lang(environ)
        session = self.auth.session(self._cookie(environ, SESSION_COOKIE), counter)
        if session is None:
            return self._login_page(environ, start_response, counter, "")
        config = {"base": f"{self._base(environ)}/{counter}", "csrf": session.csrf, "lang": lang,
                  "texts": ST.table(lang)}
        page = self._render("page", environ, lang, title=self._counter_title(counter, lang),
                            config=html.escape(json.dumps(config, ensure_ascii=True), quote=True), counter=counter)
        return self._html(start_response, "200 OK", page, self._lang_cookie(environ))

    def _login_page(self, environ: dict, start_response: Callable, counter: int, error: str,
                    status: str = "200 OK") -> Iterable[bytes]:
        lang = self._lang(environ)
        if not self.auth.can_log_in(counter):
            error = ST.text("no_pin", lang)
        elif not error and self.auth.locked_until(counter):
            error = self._locked_text(self.auth.locked_until(counter), lang)
        pre = secrets.token_urlsafe(24)
        keys = "".join(f'<button type="button" class="key" data-key="{k}">{k}</button>' for k in "123456789") + \
            f'<button type="button" class="key" data-key="clear">{html.escape(ST.text("clear", lang))}</button>' \
            '<button type="button" class="key" data-key="0">0</button>'
        page = self._render("login", environ, lang, title=self._counter_title(counter, lang), counter=counter,
                            action=f"{self._base(environ)}/{counter}/login", csrf=pre, keys=keys,
                            error=html.escape(error), error_class="error" if error else "hidden",
                            pin_label=html.escape(ST.text("pin", lang)),
                            login_label=html.escape(ST.text("login", lang)))
        cookie = f"{PRE_COOKIE}={pre}; Path={self._base(environ) or '/'}; HttpOnly; SameSite=Strict; Max-Age=3600"
        return self._html(start_response, status, page, [("Set-Cookie", cookie)] + self._lang_cookie(environ))

    def _render(self, name: str, environ: dict, lang: str, **values: Any) -> str:
        other = "en" if lang == "id" else "id"
        here = f"{self._base(environ)}{environ.get('PATH_INFO') or '/'}"
        return self._templates[name].substitute(
            lang=lang, static=f"{self._base(environ)}/static", lang_link=f"{html.escape(here)}?lang={other}",
            lang_label=html.escape(ST.text("language", lang)), **{k: (html.escape(v) if k == "title" else v)
                                                                  for k, v in values.items()})

    # ------------------------------------------------------------------ login
    def _login(self, environ: dict, start_response: Callable, counter: int) -> Iterable[bytes]:
        lang = self._lang(environ)
        form = self._form(environ)
        if not same_token(form.get("csrf"), self._cookie(environ, PRE_COOKIE) or ""):
            return self._login_page(environ, start_response, counter, ST.text("csrf", lang), "403 Forbidden")
        if not self.auth.can_log_in(counter):
            return self._login_page(environ, start_response, counter, "", "403 Forbidden")
        result = self.auth.login(counter, form.get("pin", ""))
        if result.token:
            log.info("staff page: counter %s logged in", counter)
            base = self._base(environ) or "/"
            cookie = f"{SESSION_COOKIE}={result.token}; Path={base}; HttpOnly; SameSite=Strict"
            return self._redirect(start_response, f"{self._base(environ)}/{counter}/", [("Set-Cookie", cookie)])
        if result.locked_until:
            log.warning("staff page: counter %s login locked until %s", counter, result.locked_until)
            error = self._locked_text(result.locked_until, lang)
            return self._login_page(environ, start_response, counter, error, "429 Too Many Requests")
        log.warning("staff page: wrong PIN for counter %s", counter)
        return self._login_page(environ, start_response, counter, ST.text("wrong_pin", lang, left=result.left),
                                "403 Forbidden")

    def _locked_text(self, until: float, lang: str) -> str:
        local = business_day.local_time(until, self.cfg.device.timezone)
        return ST.text("locked", lang, time=texts.format_time(local, lang))

    def _logout(self, environ: dict, start_response: Callable, counter: int) -> Iterable[bytes]:
        self._session_with_csrf(environ, counter)
        self.auth.logout(self._cookie(environ, SESSION_COOKIE))
        cookie = f"{SESSION_COOKIE}=; Path={self._base(environ) or '/'}; HttpOnly; SameSite=Strict; Max-Age=0"
        return self._json(start_response, "200 OK", {"ok": True}, [("Set-Cookie", cookie)])

    def _session_with_csrf(self, environ: dict, counter: int) -> None:
        session = self.auth.session(self._cookie(environ, SESSION_COOKIE), counter)
        if session is None:
            raise HttpError("401 Unauthorized", "expired")
        if not same_token(environ.get("HTTP_X_CSRF_TOKEN"), session.csrf):
            log.warning("staff page: request without a valid CSRF token for counter %s", counter)
            raise HttpError("403 Forbidden", "csrf")

    # ------------------------------------------------------------------ state and actions
    def _state(self, environ: dict, start_response: Callable, counter: int) -> Iterable[bytes]:
        if self.auth.session(self._cookie(environ, SESSION_COOKIE), counter) is None:
            raise HttpError("401 Unauthorized", "expired")
        return self._json(start_response, "200 OK", {"ok": True, "view": self._view(counter, self._lang(environ))})

    def _action(self, environ: dict, start_response: Callable, counter: int) -> Iterable[bytes]:
        self._session_with_csrf(environ, counter)
        lang = self._lang(environ)
        body = self._json_body(environ)
        event = self._event(counter, body)
        reply = self._ask(event)
        message = self._reply_text(body["action"], reply, lang)
        log.info("staff page: counter %s %s -> %s", counter, body["action"], reply.message)
        return self._json(start_response, "200 OK", {"ok": bool(reply.ok), "message": message,
                                                     "kind": reply.message, "view": self._view(counter, lang)})

    def _event(self, counter: int, body: dict) -> Any:
        action, rid = body["action"], secrets.token_hex(8)
        if action in ("next", "recall", "skip"):
            return E.CounterAction(counter, "call" if action == "next" else action, "staff", request_id=rid)
        if action == "transfer":
            return E.TransferRequest(counter, _text_field(body, "service"), request_id=rid)
        if action == "call":
            return E.CallTicketRequest(counter, _text_field(body, "label"), request_id=rid)
        if action in ("open", "close"):
            return E.CounterOpenRequest(counter, action == "open", request_id=rid)
        raise HttpError("400 Bad Request", "bad_request")

    def _ask(self, event: Any) -> Any:
        try:
            return self.submit(event, timeout=self.timeout)
        except (TimeoutError, RuntimeError) as e:
            log.warning("staff page: the kiosk did not answer: %s", e)
            raise HttpError("503 Service Unavailable", "offline") from None

    def _view(self, counter: int, lang: str) -> dict:
        reply = self._ask(E.CounterViewRequest(counter, request_id=secrets.token_hex(8)))
        if not reply.ok or not isinstance(reply.data, dict):
            raise HttpError("503 Service Unavailable", "offline")
        v = reply.data
        tz = self.cfg.device.timezone
        current = v.get("current")
        if current:
            current = dict(current, service_name=self._service_name(current.get("service", ""), lang))
        return {
            "counter": counter, "name": self._counter_title(counter, lang), "open": bool(v.get("open")),
            "current": current,
            "waiting": [{"code": code, "name": self._service_name(code, lang), "count": n}
                        for code, n in (v.get("waiting") or {}).items()],
            "last_calls": [{"label": c["label"], "time": texts.format_time(business_day.local_time(c["at"], tz), lang)}
                           for c in v.get("last_calls") or []],
            "services": [dict(s, name=self._service_name(s["code"], lang)) for s in v.get("services") or []],
        }

    def _reply_text(self, action: str, reply: Any, lang: str) -> str:
        data = reply.data
        if not reply.ok:
            values = dict(data) if isinstance(data, dict) else {}
            if "service" in values:
                values["service"] = self._service_name(str(values["service"]), lang)
            return ST.refusal(reply.message, lang, **values)
        if action in ("next", "recall", "call"):
            label = getattr(data, "label", "") or reply.message
            return ST.text("called", lang, label=label)
        if action == "skip":
            return ST.text("skipped", lang, label=reply.message) if reply.message else ST.text("skipped_none", lang)
        if action == "transfer" and isinstance(data, dict):
            to = self._service_name(str(data.get("to", "")), lang)
            return ST.text("transferred", lang, label=data.get("label"), to=to)
        if action == "close" and isinstance(data, dict) and data.get("finished"):
            return ST.text("closed_served", lang, label=data["finished"])
        return ST.text("opened" if action == "open" else "closed", lang)

    # ------------------------------------------------------------------ helpers
    def _service_name(self, code: str, lang: str) -> str:
        for s in self.cfg.services:
            if s.code == code:
                return s.display_name(lang)
        return code

    def _counter_name(self, counter: Any, lang: str) -> str:
        return str(self.cfg.counter_name(counter, lang))

    def _counter_title(self, number: int, lang: str) -> str:
        return self._counter_name(self.cfg.counter(number), lang)

    @staticmethod
    def _asked_lang(environ: dict) -> str:
        try:
            return (parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=5).get("lang") or [""])[-1]
        except ValueError:  # too many fields: a hostile query, answered in the default language
            return ""

    def _lang(self, environ: dict) -> str:
        asked = self._asked_lang(environ)
        if asked in ST.LANGUAGES:
            return asked
        cookie = self._cookie(environ, LANG_COOKIE)
        return cookie if cookie in ST.LANGUAGES else self.cfg.device.language

    def _lang_cookie(self, environ: dict) -> list:
        asked = self._asked_lang(environ)
        if asked not in ST.LANGUAGES:
            return []
        return [("Set-Cookie", f"{LANG_COOKIE}={asked}; Path={self._base(environ) or '/'}; SameSite=Strict; "
                               "Max-Age=31536000")]

    @staticmethod
    def _base(environ: dict) -> str:
        return environ.get("SCRIPT_NAME", "").rstrip("/")

    @staticmethod
    def _cookie(environ: dict, name: str) -> Optional[str]:
        for part in environ.get("HTTP_COOKIE", "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None

    def _body(self, environ: dict) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or "0")
        except ValueError:
            raise HttpError("400 Bad Request", "bad_request") from None
        if length < 0 or length > MAX_BODY:
            raise HttpError("413 Payload Too Large", "bad_request")
        return environ["wsgi.input"].read(length) if length else b""

    def _form(self, environ: dict) -> dict:
        try:
            fields = parse_qs(self._body(environ).decode("utf-8"), max_num_fields=10, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            raise HttpError("400 Bad Request", "bad_request") from None
        return {k: v[-1] for k, v in fields.items()}

    def _json_body(self, environ: dict) -> dict:
        try:
            body = json.loads(self._body(environ).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise HttpError("400 Bad Request", "bad_request") from None
        if not isinstance(body, dict) or not isinstance(body.get("action"), str):
            raise HttpError("400 Bad Request", "bad_request")
        return body

    def _static(self, name: str, start_response: Callable) -> Iterable[bytes]:
        if name not in STATIC_FILES:  # a fixed list: no path ever reaches the file system
            raise HttpError("404 Not Found", "bad_request")
        data = (STATIC / name).read_bytes()
        start_response("200 OK", [("Content-Type", STATIC_FILES[name]), ("Content-Length", str(len(data))),
                                  ("Cache-Control", "max-age=3600"), ("X-Content-Type-Options", "nosniff")])
        return [data]

    @staticmethod
    def _html(start_response: Callable, status: str, page: str, headers: Optional[list] = None) -> list[bytes]:
        data = page.encode("utf-8")
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))]
                       + _SECURITY_HEADERS + (headers or []))
        return [data]

    @staticmethod
    def _json(start_response: Callable, status: str, body: Any, headers: Optional[list] = None) -> list[bytes]:
        data = json.dumps(body, ensure_ascii=False, default=_plain).encode("utf-8")
        start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                                ("Content-Length", str(len(data)))] + _SECURITY_HEADERS + (headers or []))
        return [data]

    @staticmethod
    def _redirect(start_response: Callable, location: str, headers: Optional[list] = None) -> list[bytes]:
        start_response("303 See Other", [("Location", location), ("Content-Length", "0")]
                       + _SECURITY_HEADERS + (headers or []))
        return [b""]


def _text_field(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise HttpError("400 Bad Request", "bad_request")
    return value


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)

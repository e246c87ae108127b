"""Small WSGI plumbing for the dashboard: a parsed request, HTML/CSV answers,
cookies and the security headers every page carries."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from html import escape
from http.cookies import CookieError, SimpleCookie
from typing import Any, Callable, Iterable, Optional, Sequence
from urllib.parse import parse_qs, urlencode

MAX_FORM_BYTES = 16 * 1024
MAX_QUERY = 4096

StartResponse = Callable[..., Any]

SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
]


class BadRequest(Exception):
    """The client sent something unusable (message for the person)."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    cookies: dict[str, str]
    address: str
    https: bool

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def field(self, name: str) -> str:
        values = self.form.get(name)
        return values[0] if values else ""


def _parse_qs(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=200,
                         errors="strict")
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest("the request parameters cannot be read") from e


def parse_request(environ: dict) -> Request:
    query_text = environ.get("QUERY_STRING", "")
    if len(query_text) > MAX_QUERY:
        raise BadRequest("the address is too long")
    form: dict[str, list[str]] = {}
    method = environ.get("REQUEST_METHOD", "GET").upper()
    if method == "POST":
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError as e:
            raise BadRequest("bad Content-Length") from e
        if length < 0 or length > MAX_FORM_BYTES:
            raise BadRequest("the form is too large")
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            form = _parse_qs(body.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise BadRequest("the form is not UTF-8") from e
    cookies: dict[str, str] = {}
    try:
        jar = SimpleCookie(environ.get("HTTP_COOKIE", "")[:4096])
        cookies = {k: m.value for k, m in jar.items()}
    except CookieError:
        pass  # a broken cookie header: treat as no cookies (the person logs in again)
    path = environ.get("PATH_INFO", "/") or "/"
    for values in (*_parse_qs(query_text).values(), *form.values()):
        if any("\x00" in v for v in values):
            raise BadRequest("NUL characters are not accepted")
    return Request(method, path, _parse_qs(query_text), form, cookies, environ.get("REMOTE_ADDR", "?"),
                   environ.get("wsgi.url_scheme") == "https")


@dataclass
class Response:
    status: str = "200 OK"
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, start_response: StartResponse) -> Iterable[bytes]:
        headers = [("Content-Type", self.content_type), ("Content-Length", str(len(self.body))),
                   ("Cache-Control", "no-store"), *SECURITY_HEADERS, *self.headers]
        start_response(self.status, headers)
        return [self.body]


def html(body: str, status: str = "200 OK", headers: Optional[list[tuple[str, str]]] = None) -> Response:
    return Response(status, body.encode("utf-8"), headers=headers or [])


def redirect(location: str, headers: Optional[list[tuple[str, str]]] = None) -> Response:
    return Response("303 See Other", b"", "text/plain; charset=utf-8", [("Location", location), *(headers or [])])


def cookie(name: str, value: str, max_age: Optional[int], https: bool) -> tuple[str, str]:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if https:
        parts.append("Secure")
    return ("Set-Cookie", "; ".join(parts))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow(["'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else
                         ("" if v is None else v) for v in row])
    return Response("200 OK", ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8",
                    [("Content-Disposition", f'attachment; filename="{filename}"')])


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], css: str = "") -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{'' if v is None else escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f'<div class="scroll"><table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def query_string(**values: Any) -> str:
    pairs = []
    for k, v in values.items():
        for item in (v if isinstance(v, (list, tuple)) else [v]):
            if item not in (None, ""):
                pairs.append((k, item))
    return urlencode(pairs)

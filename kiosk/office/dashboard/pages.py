"""HTML of the dashboard pages (server-rendered, no JavaScript)."""
from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any, Optional, Sequence

from kiosk.office.dashboard import svg
from kiosk.office.dashboard.auth import Session
from kiosk.office.dashboard.data import CLOCK_OFFSET_LIMIT_S
from kiosk.office.dashboard.texts import text, weekdays
from kiosk.office.dashboard.web import query_string, table

_SEVERE = {"never_reported", "silent", "paper_out", "printer_offline", "clock", "fault", "cover_open"}


def layout(title: str, body: str, lang: str, session: Optional[Session], active: str = "",
           refresh: Optional[int] = None, show_ikm: bool = False) -> str:
    t = lambda k: text(k, lang)  # noqa: E731
    nav = ""
    if session is not None:
        items = [("devices", "/devices"), ("today", "/today"), ("history", "/history")]
        if show_ikm:
            items.append(("satisfaction", "/satisfaction"))
        if session.role == "admin":
            items.append(("admin", "/admin"))
        links = "".join(f'<a href="{href}"{" class=active" if key == active else ""}>{escape(t(key))}</a>'
                        for key, href in items)
        nav = (f'<nav>{links}<span class="who">{escape(t("signed_in_as"))} <b>{escape(session.user)}</b> '
               f'({escape(session.role)})</span>'
               f'<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" '
               f'value="{escape(session.csrf)}"><button type="submit">{escape(t("logout"))}</button></form>'
               f'</nav>')
    other = "en" if lang == "id" else "id"
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}'
            f'<title>{escape(title)} · {escape(t("title"))}</title>'
            f'<link rel="stylesheet" href="/static/dashboard.css"><link rel="icon" href="/static/favicon.svg">'
            f'</head><body><header><span class="brand">{escape(t("title"))}</span>'
            f'<a class="lang" href="/lang?to={other}">{escape(t("language"))}</a></header>{nav}'
            f'<main><h1>{escape(title)}</h1>{body}</main></body></html>')


def login_page(lang: str, csrf: str, message: str = "", name: str = "") -> str:
    t = lambda k: text(k, lang)  # noqa: E731
    error = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    body = (f'{error}<form method="post" action="/login" class="login">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<label>{escape(t("user"))}<input name="user" autocomplete="username" required maxlength="64" '
            f'value="{escape(name)}" autofocus></label>'
            f'<label>{escape(t("password"))}<input name="password" type="password" '
            f'autocomplete="current-password" required maxlength="1024"></label>'
            f'<button type="submit">{escape(t("login"))}</button></form>')
    return layout(t("login"), body, lang, None)


def _duration(seconds: Optional[float], lang: str) -> str:
    if seconds is None:
        return text("never", lang)
    s = int(seconds)
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} {text('minutes', lang)}"
    if s < 2 * 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} m" if lang == "en" else f"{s // 3600} jam {s % 3600 // 60} mnt"
    return f"{s // 86400} d" if lang == "en" else f"{s // 86400} hari"


def _when(epoch: Optional[float], lang: str) -> str:
    if epoch is None:
        return text("never", lang)
    return dt.datetime.fromtimestamp(epoch, dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m-%d %H:%M WIB")


def devices_body(rows: Sequence[dict[str, Any]], lang: str) -> str:
    t = lambda k: text(k, lang)  # noqa: E731
    if not rows:
        return f"<p>{escape(t('no_devices'))}</p>"
    head = ["device", "status", "last_contact", "silence", "printer", "paper", "roll", "clock", "backlog",
            "software", "faults"]
    out = ['<div class="scroll"><table class="devices"><thead><tr>'
           + "".join(f"<th>{escape(t(h))}</th>" for h in head) + "</tr></thead><tbody>"]
    for r in rows:
        flags = r["flags"]
        level = "bad" if _SEVERE & set(flags) else ("warn" if flags else "ok")
        words = "".join(f'<span class="flag {"bad" if f in _SEVERE else "warn"}">{escape(t("flag_" + f))}</span>'
                        for f in flags) or f'<span class="flag ok">{escape(t("all_ok"))}</span>'
        printer = t("unknown") if r["printer_online"] is None else t("online" if r["printer_online"] else "offline")
        paper = t("unknown") if r["paper"] is None else t("paper_" + r["paper"])
        offset = r["clock_offset_s"]
        if "clock" in flags:
            clock = r["clock_problem"] or (f"{offset:+.0f} s" if offset is not None and
                                           abs(offset) > CLOCK_OFFSET_LIMIT_S else t("ntp_unsynced"))
        else:
            clock = t("unknown") if offset is None else f"{t('clock_ok')} ({offset:+.0f} s)"
        faults = ", ".join(str(f) for f in (r["faults"] or ([r["fault"]] if r["fault"] else [])))
        cells = [r["device"], None, _when(r["last_seen"], lang), _duration(r["silence_s"], lang), printer, paper,
                 r["roll_counter"], clock, r["backlog"], r["software"], faults]
        tds = "".join(f"<td>{words}</td>" if i == 1 else f"<td>{'' if v is None else escape(str(v))}</td>"
                      for i, v in enumerate(cells))
        out.append(f'<tr class="row-{level}" data-device="{escape(r["device"])}">{tds}</tr>')
    out.append("</tbody></table></div>")
    out.append(f'<p class="actions"><a href="/export/devices.csv">{escape(t("csv"))}</a></p>')
    return "".join(out)


def today_body(kiosks: Sequence[dict[str, Any]], lang: str) -> str:
    t = lambda k: text(k, lang)  # noqa: E731
    if not kiosks:
        return f"<p>{escape(t('no_devices'))}</p>"
    cards = [f'<p class="note">{escape(t("refreshes"))}</p><div class="cards">']
    for k in kiosks:
        waiting = "".join(f"<li>{escape(s)}: <b>{n}</b></li>" for s, n in sorted(k["waiting"].items())) \
            or f"<li>{escape(t('nobody'))}</li>"
        serving = "".join(f"<li>{escape(t('counter'))} {c}: <b>{escape(v['label'] or '')}</b> "
                          f"({escape(v['service'] or '')})</li>" for c, v in sorted(k["serving"].items())) \
            or f"<li>{escape(t('nobody'))}</li>"
        median = "–" if k["median_wait_min"] is None else f"{k['median_wait_min']} {t('minutes')}"
        cards.append(f'<section class="card" data-device="{escape(k["device"])}"><h2>{escape(k["device"])} '
                     f'<small>{escape(k["day"])}</small></h2>'
                     f'<dl><dt>{escape(t("issued"))}</dt><dd>{k["issued"]}</dd><dt>{escape(t("served"))}</dt>'
                     f'<dd>{k["served"]}</dd><dt>{escape(t("median_wait"))}</dt><dd>{escape(median)}</dd></dl>'
                     f'<h3>{escape(t("waiting"))}</h3><ul>{waiting}</ul>'
                     f'<h3>{escape(t("serving"))}</h3><ul>{serving}</ul></section>')
    cards.append(f'</div><p class="actions"><a href="/export/today.csv">{escape(t("csv"))}</a></p>')
    return "".join(cards)


def period_form(first: str, last: str, chosen: Sequence[str], names: Sequence[str], lang: str,
                action: str = "/history") -> str:
    t = lambda k: text(k, lang)  # noqa: E731
    options = "".join(f'<option value="{escape(n)}"{" selected" if n in chosen else ""}>{escape(n)}</option>'
                      for n in names)
    return (f'<form method="get" action="{action}" class="period">'
            f'<label>{escape(t("period_from"))}<input type="date" name="from" value="{escape(first)}"></label>'
            f'<label>{escape(t("period_to"))}<input type="date" name="to" value="{escape(last)}"></label>'
            f'<label>{escape(t("device"))} <small>({escape(t("all_kiosks"))})</small>'
            f'<select name="device" multiple size="{min(5, max(2, len(names)))}">{options}</select></label>'
            f'<button type="submit">{escape(t("show"))}</button></form>')


def month_links(today: dt.date, chosen: Sequence[str], lang: str) -> str:
    """Links to the monthly reports (this and last month) and how to print them to PDF."""
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    links = []
    for first in (this_month, last_month):
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        last = min(nxt - dt.timedelta(days=1), today)
        qs = query_string(**{"from": first.isoformat(), "to": last.isoformat(), "device": list(chosen)})
        links.append(f'<a href="/history?{escape(qs)}">{escape(text("month_report", lang))} '
                     f'{first.strftime("%Y-%m")}</a>')
    return f'<p class="actions">{" · ".join(links)} · {escape(text("print_hint", lang))}</p>'


def _block(title: str, chart: str, table_html: str, csv_href: str, lang: str) -> str:
    return (f'<section class="figure"><h2>{escape(title)}</h2><div class="pair"><div class="plot">{chart}</div>'
            f'<div class="numbers">{table_html}<p class="actions"><a href="{escape(csv_href)}">'
            f'{escape(text("csv", lang))}</a></p></div></div></section>')


def history_body(h: dict[str, Any], first: str, last: str, chosen: Sequence[str], lang: str) -> str:
    t = lambda k: text(k, lang)  # noqa: E731
    qs = query_string(**{"from": first, "to": last, "device": list(chosen)})
    days = weekdays(lang)
    shown = ", ".join(chosen) if chosen else t("all_kiosks")
    out = [f'<p class="report-head">{escape(t("report_for"))} {escape(first)} – {escape(last)} · '
           f'{escape(shown)}</p>']
    if not any(any(r) for r in h["hours"]) and not h["waits"] and not h["counters"] and not h["problems"]:
        return out[0] + f'<p>{escape(t("no_data"))}</p>'
    hour_rows = [[days[w]] + h["hours"][w] for w in range(7)]
    hour_table = table([t("weekday")] + [f"{x:02d}" for x in range(24)], hour_rows, "compact")
    out.append(_block(t("hours"), svg.heat_map(t("hours"), days, h["hours"]), hour_table,
                      f"/export/hours.csv?{qs}", lang))
    services = sorted({w["service"] for w in h["waits"]})
    day_list = sorted({w["day"] for w in h["waits"]})
    by = {(w["day"], w["service"]): w for w in h["waits"]}
    series = []
    for s in services:
        series.append((f"{s} median", [by[(d, s)]["median_min"] if (d, s) in by else None for d in day_list]))
        series.append((f"{s} p90", [by[(d, s)]["p90_min"] if (d, s) in by else None for d in day_list]))
    wait_table = table([t("day"), t("service"), t("tickets"), t("median_wait") + f" ({t('minutes')})",
                        t("p90_wait") + f" ({t('minutes')})"],
                       [[w["day"], w["service"], w["tickets"], w["median_min"], w["p90_min"]] for w in h["waits"]])
    out.append(_block(t("waits"), svg.line_chart(t("waits"), [d[5:] for d in day_list], series), wait_table,
                      f"/export/waits.csv?{qs}", lang))
    c = h["counters"]
    counter_chart = svg.bar_chart(t("counters"), [f"{t('counter')} {r['counter']}" for r in c],
                                  [(t("served"), [r["served"] for r in c]), (t("no_show"), [r["skipped"] for r in c])])
    counter_table = table([t("counter"), t("called"), t("served"), t("no_show"), t("avg_service")],
                          [[r["counter"], r["called"], r["served"], r["skipped"], r["avg_service_min"]] for r in c])
    out.append(_block(t("counters"), counter_chart, counter_table, f"/export/counters.csv?{qs}", lang))
    p = h["problems"]
    problem_chart = svg.bar_chart(t("problems"), [r["day"][5:] for r in p],
                                  [(t(k), [r[k] for r in p]) for k in ("no_show", "void", "uncertain")])
    problem_table = table([t("day"), t("issued"), t("served"), t("no_show"), t("void"), t("uncertain")],
                          [[r["day"], r["issued"], r["served"], r["no_show"], r["void"], r["uncertain"]] for r in p])
    out.append(_block(t("problems"), problem_chart, problem_table, f"/export/problems.csv?{qs}", lang))
    return "".join(out)


def satisfaction_body(months: Sequence[dict[str, Any]], lang: str) -> str:
    t = lambda k: text(k, lang)  # noqa: E731
    if not months:
        return f"<p>{escape(t('no_surveys'))}</p>"
    out = []
    for m in months:
        summary = (f'{escape(t("ikm_index"))}: <b>{escape(m["index"] or "–")}</b> · {escape(t("ikm_category"))}: '
                   f'<b>{escape(m["category"] or "–")}</b> ({escape(m["performance"] or "–")}) · '
                   f'{escape(t("respondents"))}: {m["respondents"]}')
        rows = [[e["number"], e["name"], e["nrr"], e["converted"], e["category"]] for e in m["elements"]]
        chart = svg.bar_chart(f"IKM {m['month']}", [f"U{e['number']}" for e in m["elements"]],
                              [(t("converted"), [float(e["converted"] or 0) for e in m["elements"]])])
        out.append(f'<section class="figure"><h2>{escape(m["device"])} · {escape(m["month"])}</h2><p>{summary}</p>'
                   f'<div class="pair"><div class="plot">{chart}</div><div class="numbers">'
                   + table([t("element"), "", t("nrr"), t("converted"), t("ikm_category")], rows) + "</div></div>"
                   "</section>")
    return "".join(out)

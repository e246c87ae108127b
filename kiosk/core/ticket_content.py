"""What a ticket says, in the device language. Pure: layout is the printer's job."""
import dataclasses
from urllib.parse import quote

from kiosk.core import texts
from kiosk.core.business_day import local_time
from kiosk.core.tickets import Ticket, TicketContent, format_label


def build_content(cfg, ticket, ahead, wait_minutes, now=None, copy=False):
    """TicketContent for ``ticket`` (a tickets.Ticket).

    ``now`` defaults to the ticket's issue time; a copy is marked SALINAN/COPY.
    """
    lang = cfg.device.language
    service = cfg.service(ticket.service)
    when = local_time(ticket.issued_at if now is None else now, cfg.device.timezone)
    counters = [c.number for c in cfg.counters_for(service.code)]
    if ahead <= 0:
        ahead_text, wait_text = texts.text("ahead_none", lang), texts.text("wait_none", lang)
    else:
        ahead_text = texts.text("ahead", lang, n=ahead)
        # Minutes under five promise a precision the estimate does not have.
        wait_text = texts.text("wait", lang, m=wait_minutes) if wait_minutes >= 5 else texts.text("wait_short", lang)
    return TicketContent(
        institution=cfg.device.institution,
        address=cfg.device.address,
        heading=texts.text("heading", lang),
        label=format_label(ticket.prefix, ticket.number),
        service_name=service.display_name(lang),
        priority_text=texts.text("priority", lang) if ticket.priority else "",
        issued_text=texts.format_datetime(when, lang),
        ahead_text=ahead_text,
        wait_text=wait_text,
        instruction=texts.text("instruction", lang, counters=texts.counters_phrase(counters, lang)),
        footer=texts.footer_lines(cfg.printer.footer, cfg.printer.footer_en, lang),
        qr_data=qr_data(cfg, ticket),
        copy_text=texts.text("copy", lang) if copy else "",
        ticket_id=ticket.id,
    )


QR_PREFIX = "PTSP1"


def qr_purpose(cfg):
    """What the ticket's QR code holds: "off", "ticket" or "url".

    ``printer.qr_content = "auto"`` follows the survey: a QR that nothing reads
    only costs paper (about 10 mm a ticket). A config without a survey
    section (older schema) gets "ticket".
    """
    if not cfg.printer.qr:
        return "off"
    if cfg.printer.qr_content != "auto":
        return cfg.printer.qr_content
    survey = getattr(cfg, "survey", None)
    if survey is None or not hasattr(survey, "enabled"):
        return "ticket"
    return "ticket" if survey.enabled else "off"


def ticket_code(day, label):
    """The ticket as a scanner types it: 'PTSP1:20261201:A-012'.

    Short (a version-1 QR code), upper case without spaces so that a keyboard
    wedge scanner types it exactly; the business day makes yesterday's ticket
    recognisable as such.
    """
    return f"{QR_PREFIX}:{day.replace('-', '')}:{label.upper()}"


def qr_data(cfg, ticket):
    """The QR text of ``ticket`` for the configured purpose ('' for none)."""
    purpose = qr_purpose(cfg)
    if purpose == "ticket":
        return ticket_code(ticket.day, ticket.label)
    if purpose == "url":
        # Plain replacement, not str.format: a stray brace in the address stays as written.
        fields = {"{device}": cfg.device.id, "{day}": ticket.day.replace("-", ""), "{label}": ticket.label}
        url = cfg.printer.qr_url
        for field, value in fields.items():
            url = url.replace(field, quote(value, safe=""))
        return url
    return ""


def sample_content(cfg, service_code, now, priority=False):
    """A realistic ticket for previews and test pages (nothing is stored)."""
    service = cfg.service(service_code)
    ticket = Ticket(id=0, day=local_time(now, cfg.device.timezone).date().isoformat(),
                    service=service.code, prefix=service.prefix, number=12, priority=priority,
                    state="waiting", issued_at=now)
    return build_content(cfg, ticket, ahead=4, wait_minutes=int(4 * service.service_minutes))


def with_language(cfg, language):
    """A copy of ``cfg`` speaking ``language`` (for an English preview)."""
    return dataclasses.replace(cfg, device=dataclasses.replace(cfg.device, language=language))

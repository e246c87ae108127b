"""Sample Views for the screen tests: the demo services, long names, English."""
from datetime import datetime

from kiosk.machine.view import CallView, Fault, ServiceView, TicketView, View

SIZES = [(800, 480), (1024, 600), (1920, 1080)]
ALL_SIZES = SIZES + [(1280, 800), (480, 800), (600, 1024), (1080, 1920)]

LONG = ("Layanan Integrasi Pembebasan Bersyarat, Cuti Bersyarat, Cuti Menjelang Bebas "
        "dan Asimilasi Warga Binaan Pemasyarakatan")


def services(lang="id", long=True):
    names = ["Layanan Kunjungan", "Penitipan Barang", "Informasi & Pengaduan",
             LONG if long else "Layanan Integrasi", "Bantuan Hukum"]
    if lang == "en":
        names = ["Visits", "Item drop-off", "Information & complaints",
                 "Parole, conditional leave and assimilation programmes for inmates" if long else "Parole",
                 "Legal aid"]
    return (
        ServiceView("kunjungan", "A", names[0], waiting=12),
        ServiceView("barang", "B", names[1], waiting=0),
        ServiceView("informasi", "C", names[2], waiting=3, priority_ok=False),
        ServiceView("integrasi", "D", names[3], can_issue=False,
                    reason="Tutup, buka 13.00" if lang == "id" else "Closed, opens 13:00"),
        ServiceView("bantuan-hukum", "E", names[4], can_issue=False,
                    reason="Kuota hari ini habis" if lang == "id" else "Today's quota is used up"),
    )


def calls():
    return (
        CallView(1, "Loket 1", "A-012", "Layanan Kunjungan", False, 100.0),
        CallView(2, "Loket 2 - Informasi dan Pengaduan Masyarakat", "C-104", "Informasi & Pengaduan", True, 200.0),
        CallView(3, "Loket 3"),
    )


def view(lang="id", long=True, **kw):
    base = dict(language=lang, institution="Rumah Tahanan Negara Kelas IIB Blora, Kantor Wilayah Jawa Tengah"
                if long else "Rutan Kelas IIB Blora",
                address="Jl. Pemuda No. 1, Blora, Jawa Tengah",
                now=datetime(2024, 4, 16, 15, 47, 5), services=services(lang, long), calls=calls(),
                help_text="A-E: layanan  Shift+A-E: prioritas  1-3: panggil loket  Ctrl+1-3: panggil ulang")
    base.update(kw)
    return View(**base)


def ticket(phase, **kw):
    base = dict(phase=phase, label="A-012", service_name="Layanan Kunjungan", priority=True,
                lines=("Antrian di depan Anda: 4", "Perkiraan waktu tunggu: 20 menit",
                       "Silakan menunggu panggilan di Loket 1 atau Loket 2"),
                code="PRN-PAPER", message="Kuota hari ini habis")
    base.update(kw)
    return TicketView(**base)


# Every screen state worth checking, by name.
def states(lang="id", long=True):
    return {
        "home": view(lang, long),
        "printing": view(lang, long, ticket=ticket("printing")),
        "done": view(lang, long, ticket=ticket("done")),
        "failed": view(lang, long, ticket=ticket("failed")),
        "uncertain": view(lang, long, ticket=ticket("uncertain", code="PRN-TMO")),
        "refused": view(lang, long, ticket=ticket("refused")),
        "serving": view(lang, long, newest_counter=2),
        "out_of_order": view(lang, long, fault=Fault("PRN-PAPER")),
    }

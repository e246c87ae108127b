"""The preview printer: each ticket becomes a PNG file instead of paper.

It renders the very ESC/POS bytes a real printer would get (see render.py),
so the laptop demo and a technician checking a layout see the real thing.
"""
import logging
import os
from pathlib import Path

from kiosk.core.errors import PrinterError, PrinterOffline
from kiosk.core.events import PrinterHealth

from drivers.printer import render
from drivers.printer.base import TicketPrinter

log = logging.getLogger(__name__)


class PreviewPrinter(TicketPrinter):
    """Writes ``<name>.png`` into ``folder`` and keeps the newest ``keep`` files
    so a demo left running does not fill the disk."""

    kind = "preview"

    def __init__(self, layout, folder, language="id", keep=500):
        super().__init__(layout, language)
        self.folder = Path(folder)
        self.keep = keep
        self.last_path = None

    def describe(self):
        return f"preview into {self.folder}, {super().describe()}"

    def _send(self, data, name, job):
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{name}.png"
            tmp = path.with_suffix(".png.tmp")
            img = render.to_image(render.measure(data, self.geometry.dots, self.geometry.dpi))
            img.save(tmp, format="PNG", optimize=True)
            try:
                job.start()  # the "paper" appears with the rename below
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            os.replace(tmp, path)  # a viewer never sees half a file
        except render.RenderError as e:
            raise PrinterError(f"preview cannot render {name}: {e}") from e
        except OSError as e:
            raise PrinterOffline(f"preview cannot write into {self.folder}: {e}") from e
        self.last_path = path
        self._prune()

    def _prune(self):
        try:
            files = sorted(self.folder.glob("*.png"), key=lambda p: p.stat().st_mtime)
            for old in files[:-self.keep]:
                old.unlink()
        except OSError as e:
            log.warning("cannot prune old previews in %s: %s", self.folder, e)

    def status(self):
        probe = self.folder if self.folder.exists() else self.folder.parent
        if os.access(probe, os.W_OK):
            return PrinterHealth(online=True, paper="ok", cover_open=False,
                                 detail=f"preview: tickets are saved as PNG in {self.folder}")
        return PrinterHealth(online=False, paper="unknown", detail=f"preview: cannot write into {self.folder}")

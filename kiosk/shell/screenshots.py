"""``--screenshot-dir``: one PNG each time what the screen shows changes in kind
(a new screen, a ticket phase, a highlighted counter, a fault), for demos,
documentation and technicians checking a layout without the device."""
from __future__ import annotations

from pathlib import Path


class Screenshots:
    """Saves a PNG per distinct screen; ``paths`` lists what was saved."""

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder else None
        self.paths: list = []
        self._last_key = None

    def take(self, pg, surface, screen_name, view) -> None:
        if self.folder is None:
            return
        t = view.ticket if view else None
        key = (screen_name, t.phase if t else None, t.label if t else None,
               view.newest_counter if view else None, view.fault.code if view and view.fault else None,
               # each survey step and question is its own picture (issue 13)
               "-".join(x for x in (view.survey.step, view.survey.item) if x) if view and view.survey else None)
        if key == self._last_key:
            return
        self._last_key = key
        self.folder.mkdir(parents=True, exist_ok=True)
        detail = "-".join(str(k) for k in key[1:] if k)
        path = self.folder / f"{len(self.paths) + 1:03d}-{screen_name}{'-' + detail if detail else ''}.png"
        pg.image.save(surface, str(path))
        self.paths.append(path)

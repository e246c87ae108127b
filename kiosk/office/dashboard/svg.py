"""Server-side charts as plain SVG text (no JavaScript, no library): a grouped bar
chart, a line chart and a weekday x hour heat map. Every chart carries a <title>
for screen readers; the page shows the same numbers in a table beside it."""
from __future__ import annotations

from html import escape
from typing import Optional, Sequence

COLOURS = ("#1f5fa8", "#d9822b", "#2e8540", "#b3261e", "#6b4fa0", "#00838f")
W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` whose quarters (the grid lines) are
    whole numbers: 4 x (1, 2, 2.5 or 5 x 10^k) with a tick of at least 1."""
    tick = 1.0
    while True:
        for m in (1.0, 2.0, 2.5, 5.0):
            candidate = m * tick
            if candidate == int(candidate) and 4 * candidate >= value:
                return 4 * candidate
        tick *= 10


def _frame(title: str, body: list[str], legend: Sequence[str]) -> str:
    parts = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    parts += body
    x = LEFT
    for i, name in enumerate(legend):
        parts.append(f'<rect x="{x}" y="{H - 14}" width="10" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>'
                     f'<text x="{x + 14}" y="{H - 5}" class="legend">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _axis(top: float) -> list[str]:
    out = []
    plot_h = H - TOP - BOTTOM
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value:g}</text>')
    return out


def _x_labels(labels: Sequence[str], centre: Sequence[float]) -> list[str]:
    every = max(1, -(-len(labels) // 16))  # at most ~16 labels so they stay readable
    y = H - BOTTOM + 14
    return [f'<text x="{x:.1f}" y="{y}" text-anchor="middle" class="tick">{escape(label)}</text>'
            for i, (label, x) in enumerate(zip(labels, centre)) if i % every == 0]


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> str:
    """Grouped bars: one group per label, one bar per series."""
    top = _nice_max(max((v for _, values in series for v in values), default=0))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    group = plot_w / max(1, len(labels))
    bar = group * 0.8 / max(1, len(series))
    body = _axis(top)
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        for i, v in enumerate(values):
            h = plot_h * v / top
            x = LEFT + i * group + group * 0.1 + s * bar
            body.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{max(bar - 1, 1):.1f}" '
                        f'height="{h:.1f}" fill="{colour}"><title>{escape(labels[i])} {escape(name)}: '
                        f'{v:g}</title></rect>')
    body += _x_labels(labels, [LEFT + (i + 0.5) * group for i in range(len(labels))])
    return _frame(title, body, [name for name, _ in series])


def line_chart(title: str, labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[Optional[float]]]]) -> str:
    """Lines over the labels; None leaves a gap (no tickets that day)."""
    top = _nice_max(max((v for _, values in series for v in values if v is not None), default=0))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    xs = [LEFT + (i + 0.5) * step for i in range(len(labels))]
    body = _axis(top)
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        points: list[str] = []
        for x, v in zip(xs, values):
            if v is None:
                if len(points) > 1:
                    body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                                f'stroke-width="2"/>')
                points = []
                continue
            y = TOP + plot_h - plot_h * v / top
            points.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"><title>{escape(name)}: '
                        f'{v:g}</title></circle>')
        if len(points) > 1:
            body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')
    body += _x_labels(labels, xs)
    return _frame(title, body, [name for name, _ in series])


def heat_map(title: str, rows: Sequence[str], values: Sequence[Sequence[int]]) -> str:
    """Rows (weekdays) x 24 hour columns, darker = more tickets."""
    top = max((v for row in values for v in row), default=0) or 1
    cell_w = (W - LEFT - RIGHT) / 24
    cell_h = (H - TOP - BOTTOM) / max(1, len(rows))
    body = []
    for r, (name, row) in enumerate(zip(rows, values)):
        y = TOP + r * cell_h
        body.append(f'<text x="{LEFT - 4}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" class="tick">'
                    f'{escape(name)}</text>')
        for hour, v in enumerate(row):
            shade = 0.06 + 0.94 * v / top if v else 0.0
            body.append(f'<rect x="{LEFT + hour * cell_w:.1f}" y="{y:.1f}" width="{cell_w - 1:.1f}" '
                        f'height="{cell_h - 1:.1f}" fill="#1f5fa8" fill-opacity="{shade:.2f}" stroke="#ddd">'
                        f'<title>{escape(name)} {hour:02d}:00: {v}</title></rect>')
    body += _x_labels([f"{h:02d}" for h in range(24)], [LEFT + (h + 0.5) * cell_w for h in range(24)])
    return _frame(title, body, [])

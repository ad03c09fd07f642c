"""Server-rendered SVG charts: column (time series), horizontal bar and funnel.

Each chart is an <svg role="img"> with a <title> and a <desc> (its text alternative), scales to its
container (viewBox, width 100%), and escapes every text it is given. Pure functions: labels and
formatted values come in ready to show.
"""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 360                 # a phone's width in CSS pixels: the charts are drawn for it and scale up
INK, MUTED, BAR, TRACK = "#1d1f24", "#5b6270", "#c2410c", "#f4f5f7"
FONT = 'font-family="system-ui,sans-serif"'

Bar = tuple[str, float | None, str]   # (label, value or None for no data, value as text)


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" role="img" direction="ltr" class="chart" id="{escape(chart_id)}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" data-testid="{escape(chart_id)}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12, fill: str = INK,
          bold: bool = False) -> str:
    weight = ' font-weight="600"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" {FONT}'
            f'{weight}>{escape(content)}</text>')


def _no_data(chart_id: str, title: str, desc: str, message: str) -> Markup:
    return _svg(chart_id, title, desc, 40, [_text(WIDTH / 2, 24, message, anchor="middle", fill=MUTED)])


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar], *, rtl: bool = False,
              scale_max: float | None = None, empty: str = "—") -> Markup:
    """Horizontal bars, one per row: the label above, the bar and its value below.

    Right-to-left pages get mirrored bars (growing from the right, labels right-aligned).
    `scale_max` fixes the full-width value (1.0 for rates); by default the largest value fills it.
    """
    if not bars:
        return _no_data(chart_id, title, desc, empty)
    row, pad, value_room = 36, 4, 64
    top = max([scale_max or 0.0] + [v for _l, v, _t in bars if v is not None]) or 1.0
    span = WIDTH - 2 * pad - value_room
    body = []
    for i, (name, value, text) in enumerate(bars):
        y = i * row
        length = 0.0 if value is None else max(span * value / top, 1.0 if value > 0 else 0.0)
        if rtl:
            body.append(_text(WIDTH - pad, y + 13, name, anchor="end"))
            body.append(f'<rect x="{WIDTH - pad - span:.1f}" y="{y + 18}" width="{span:.1f}" height="12" fill="{TRACK}"/>')
            body.append(f'<rect x="{WIDTH - pad - length:.1f}" y="{y + 18}" width="{length:.1f}" height="12" '
                        f'fill="{BAR}"/>')
            body.append(_text(pad + value_room - 6, y + 28, text, anchor="end", bold=True))
        else:
            body.append(_text(pad, y + 13, name))
            body.append(f'<rect x="{pad}" y="{y + 18}" width="{span:.1f}" height="12" fill="{TRACK}"/>')
            body.append(f'<rect x="{pad}" y="{y + 18}" width="{length:.1f}" height="12" fill="{BAR}"/>')
            body.append(_text(WIDTH - pad - value_room + 6, y + 28, text, bold=True))
    return _svg(chart_id, title, desc, len(bars) * row + 4, body)


def funnel_chart(chart_id: str, title: str, desc: str, steps: list[Bar], *, empty: str = "—") -> Markup:
    """Centred bars narrowing step by step (symmetric, so it reads the same in both directions)."""
    if not steps or not steps[0][1]:
        return _no_data(chart_id, title, desc, empty)
    row, top = 40, steps[0][1]
    body = []
    for i, (name, value, text) in enumerate(steps):
        y, width = i * row, max(WIDTH * 0.9 * (value or 0) / top, 2.0)
        body.append(_text(WIDTH / 2, y + 13, f"{name} · {text}", anchor="middle"))
        body.append(f'<rect x="{(WIDTH - width) / 2:.1f}" y="{y + 18}" width="{width:.1f}" height="16" rx="2" '
                    f'fill="{BAR}"/>')
    return _svg(chart_id, title, desc, len(steps) * row + 2, body)


def column_chart(chart_id: str, title: str, desc: str, points: list[Bar], *, empty: str = "—") -> Markup:
    """A time series as columns, oldest first, the first and last periods labelled under the axis and
    the highest value above it; each column carries its own label and value as a tooltip."""
    if not points:
        return _no_data(chart_id, title, desc, empty)
    height, pad, axis = 170, 4, 132
    top = max((v or 0) for _l, v, _t in points) or 1.0
    step = (WIDTH - 2 * pad) / len(points)
    gap = step * 0.15 if step > 3 else 0
    body = [f'<line x1="{pad}" y1="{axis}" x2="{WIDTH - pad}" y2="{axis}" stroke="{MUTED}" stroke-width="1"/>']
    for i, (name, value, text) in enumerate(points):
        h = (axis - 20) * (value or 0) / top
        body.append(f'<rect x="{pad + i * step + gap / 2:.2f}" y="{axis - h:.2f}" width="{max(step - gap, 0.5):.2f}" '
                    f'height="{h:.2f}" fill="{BAR}"><title>{escape(name)}: {escape(text)}</title></rect>')
    best = max(points, key=lambda p: p[1] or 0)
    body.append(_text(pad, 12, best[2], fill=MUTED, size=11))
    body.append(_text(pad, axis + 18, points[0][0], fill=MUTED, size=11))
    if len(points) > 1:
        body.append(_text(WIDTH - pad, axis + 18, points[-1][0], anchor="end", fill=MUTED, size=11))
    return _svg(chart_id, title, desc, height, body)

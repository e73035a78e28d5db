"""Server-rendered SVG charts. No script and no style attribute (the page's Content
Security Policy allows neither): only SVG presentation attributes. Each chart has a
<title> and a <desc> that says what it shows and gives its numbers, names them with
aria-labelledby, and sits beside a table of the same numbers.

A hidden count (shown as "<5" or "withheld" in the tables) is never drawn as a bar:
the chart writes the same words where the bar would be.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1b1b1b"
BAR = "#005ea2"
BAR_DARK = "#162e51"
GRID = "#a9aeb1"
FONT = 'font-family="Source Sans Pro, Helvetica, Arial, sans-serif"'
WIDTH = 640


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: hidden (drawn as text, never as a bar)
    shown: str


def _head(chart_id: str, title: str, desc: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" class="rw-chart" '
        f'id="{chart_id}" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _desc(points: list[Point], unit: str) -> str:
    return "; ".join(
        f"{p.label}: {p.shown}{unit if p.value is not None else ''}" for p in points
    )


def _scale(points: list[Point]) -> float:
    top = max((p.value for p in points if p.value is not None), default=0)
    return float(top) if top > 0 else 1.0


def horizontal_bars(
    chart_id: str, title: str, intro: str, points: list[Point]
) -> SafeString:
    """One bar per category (a breakdown of one quarter)."""
    row_h, label_w, top_pad = 26, 250, 10
    height = top_pad * 2 + row_h * max(len(points), 1)
    plot_w = WIDTH - label_w - 70
    top = _scale(points)
    parts = [_head(chart_id, title, f"{intro} {_desc(points, '')}.", height)]
    for i, p in enumerate(points):
        y = top_pad + i * row_h
        mid = y + row_h / 2 + 5
        parts.append(
            f'<text x="{label_w - 8}" y="{mid:.1f}" text-anchor="end" font-size="14" '
            f'fill="{INK}" {FONT}>{escape(p.label)}</text>'
        )
        if p.value is not None and p.value > 0:
            w = max(1.0, plot_w * p.value / top)
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{BAR}"/>'
            )
            text_x = label_w + w + 6
        else:
            text_x = label_w + 4
        parts.append(
            f'<text x="{text_x:.1f}" y="{mid:.1f}" font-size="14" fill="{INK}" '
            f"{FONT}>{escape(p.shown)}</text>"
        )
    parts.append(
        f'<line x1="{label_w}" y1="{top_pad}" x2="{label_w}" y2="{height - top_pad}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    # Every text above is escaped; numbers and ids are our own.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703


def column_bars(
    chart_id: str,
    title: str,
    intro: str,
    series: list[tuple[str, str, list[Point]]],
    unit: str = "",
) -> SafeString:
    """Columns per quarter; several series side by side (e.g. median and 90th
    percentile). ``series`` is [(name, colour, points)], all over the same quarters."""
    height, bottom, left, top_pad = 300, 56, 48, 28
    labels = [p.label for p in series[0][2]] if series else []
    plot_h = height - bottom - top_pad
    plot_w = WIDTH - left - 12
    slot = plot_w / max(len(labels), 1)
    bar_w = max(4.0, min(36.0, slot * 0.8 / max(len(series), 1)))
    top = max(_scale(points) for _n, _c, points in series) if series else 1.0
    desc = " ".join(f"{name}: {_desc(points, unit)}." for name, _c, points in series)
    parts = [_head(chart_id, title, f"{intro} {desc}", height)]
    base_y = top_pad + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{WIDTH - 12}" y2="{base_y}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    parts.append(
        f'<text x="{left - 6}" y="{top_pad + 5}" text-anchor="end" font-size="12" '
        f'fill="{INK}" {FONT}>{escape(_fmt(top))}</text>'
        f'<text x="{left - 6}" y="{base_y}" text-anchor="end" font-size="12" '
        f'fill="{INK}" {FONT}>0</text>'
    )
    for s, (_name, colour, points) in enumerate(series):
        for i, p in enumerate(points):
            x = left + i * slot + (slot - bar_w * len(series)) / 2 + s * bar_w
            if p.value is not None and p.value > 0:
                h = max(1.0, plot_h * p.value / top)
                parts.append(
                    f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}" fill="{colour}"/>'
                )
    for i, label in enumerate(labels):
        cx = left + i * slot + slot / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{base_y + 18}" text-anchor="middle" font-size="12" '
            f'fill="{INK}" {FONT}>{escape(label)}</text>'
        )
    if len(series) > 1:
        for s, (name, colour, _points) in enumerate(series):
            lx = left + s * 180
            parts.append(
                f'<rect x="{lx}" y="{height - 20}" width="14" height="14" fill="{colour}"/>'
                f'<text x="{lx + 20}" y="{height - 8}" font-size="13" fill="{INK}" '
                f"{FONT}>{escape(name)}</text>"
            )
    parts.append("</svg>")
    # Every text above is escaped; numbers and ids are our own.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"

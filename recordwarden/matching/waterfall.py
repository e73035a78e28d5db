"""A candidate's score as a waterfall: the prior, then each field's weight in turn,
as rows for a table and bar geometry for a small SVG (attributes only, no inline
style, so the strict content-security policy holds)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 420  # drawing width of the bars, px
LABELS = 180  # px left of the bars for the field names
ROW = 22  # px per row


@dataclass
class Step:
    label: str
    agreement: str
    weight: float
    total: float
    x: float = 0.0
    width: float = 0.0
    y: float = 0.0
    text_y: float = 0.0
    bar_y: float = 0.0
    positive: bool = True


def waterfall(evidence: list[dict], prior: float) -> dict:
    steps = [Step("Prior: one in the number of workers", "", prior, prior)]
    running = prior
    for item in evidence:
        if item.get("level") is None:
            continue
        running += item["weight"]
        steps.append(Step(item["label"], item["agreement"], item["weight"], running))
    lows = [min(s.total - s.weight, s.total) for s in steps[1:]] + [prior, 0.0]
    highs = [max(s.total - s.weight, s.total) for s in steps[1:]] + [0.0, running]
    low, high = min(lows), max(highs)
    scale = WIDTH / max(high - low, 1e-9)
    for i, step in enumerate(steps):
        start = 0.0 if i == 0 else step.total - step.weight
        a, b = sorted((start, step.total))
        step.x = round(LABELS + (a - low) * scale, 1)
        step.width = round(max((b - a) * scale, 1.0), 1)
        step.y = i * ROW
        step.text_y = step.y + 15
        step.bar_y = step.y + 3
        step.positive = step.weight >= 0
    return {
        "steps": steps,
        "total": running,
        "zero_x": round(LABELS + (0.0 - low) * scale, 1),
        "height": len(steps) * ROW,
        "svg_height": len(steps) * ROW + 4,
        "width": LABELS + WIDTH,
    }

"""Bar charts laid out for inline SVG: the geometry here, the markup in
templates/reports/_bar_chart.html."""

from dataclasses import dataclass

# Narrow on purpose: the chart is scaled to the screen, and on a phone (about 310 px
# inside a card) FONT_SIZE units still come out at about 14 px.
WIDTH, HEIGHT = 360, 250
TOP, BOTTOM, LEFT = 48, 30, 4
FONT_SIZE = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    note: str
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self):
        return self.x + self.width // 2


def bar_chart(values, *, width=WIDTH, height=HEIGHT):
    """`values`: (label, number, note) triples, e.g. ("2026", 130, "+8,3 %").

    Bars share one scale from 0; each carries its number as text, so nothing is
    told by colour alone."""
    values = [(label, number, note) for label, number, note in values if number]
    if not values:
        return None
    top = max(number for _, number, _ in values)
    plot = height - TOP - BOTTOM
    slot = (width - LEFT) // max(len(values), 1)
    bar_width = min(slot * 6 // 10, 64)
    bars = []
    for index, (label, number, note) in enumerate(values):
        bar_height = max(round(number * plot / top), 1)
        bars.append(
            Bar(
                label=label,
                value=number,
                note=note,
                x=LEFT + index * slot + (slot - bar_width) // 2,
                y=TOP + plot - bar_height,
                width=bar_width,
                height=bar_height,
            )
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "axis_y": TOP + plot,
        "font_size": FONT_SIZE,
    }

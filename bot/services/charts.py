"""A bar chart of a report's items, when the optional `charts` extra (matplotlib) is installed.

Drawn in a worker thread: matplotlib takes a good part of a second. The figure is made
without pyplot, whose global state is not safe across threads.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)
MAX_BARS = 16


def items_chart(totals: list[tuple[str, int]], title: str, into: Path) -> bool:
    """Write a PNG horizontal bar chart to `into`; False without matplotlib or without data."""
    if not totals:
        return False
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        log.info("matplotlib is not installed: /export sends no chart")
        return False
    shown = sorted(totals, key=lambda pair: pair[1])[-MAX_BARS:]
    figure = Figure(figsize=(7, 0.45 * len(shown) + 1.2), dpi=120)
    FigureCanvasAgg(figure)  # headless: servers have no screen
    axes = figure.subplots()
    axes.barh([name for name, _ in shown], [value for _, value in shown], color="#d35400")
    axes.set_title(title)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    for index, (_, value) in enumerate(shown):
        axes.text(value, index, f" {value}", va="center")
    figure.tight_layout()
    figure.savefig(into, format="png")
    return True


def occupancy_chart(nights: list[tuple[str, int]], beds: int, title: str, into: Path) -> bool:
    """Write a PNG of people booked night by night against the beds (a line); False without
    matplotlib or without nights. Nights over the beds are drawn in red."""
    if not nights:
        return False
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        log.info("matplotlib is not installed: /housing sends no chart")
        return False
    figure = Figure(figsize=(8, 3.6), dpi=120)
    FigureCanvasAgg(figure)  # headless: servers have no screen
    axes = figure.subplots()
    labels = [label for label, _ in nights]
    booked = [value for _, value in nights]
    colours = ["#c0392b" if value >= beds else "#2e86c1" for value in booked]
    axes.bar(range(len(nights)), booked, color=colours)
    axes.axhline(beds, color="#333333", linestyle="--", linewidth=1)
    axes.text(len(nights) - 0.5, beds, f" {beds}", va="bottom", ha="right")
    axes.set_xticks(range(0, len(nights), 7), [labels[i] for i in range(0, len(nights), 7)])
    axes.set_ylim(0, max([beds, *booked]) + 1)
    axes.set_title(title)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    figure.tight_layout()
    figure.savefig(into, format="png")
    return True

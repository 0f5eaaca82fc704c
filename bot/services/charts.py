"""A bar chart of a report's items, when the optional `charts` extra (matplotlib) is installed."""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)
MAX_BARS = 16


def items_chart(totals: list[tuple[str, int]], title: str) -> bytes | None:
    """PNG bytes of a horizontal bar chart, or None without matplotlib or without data."""
    if not totals:
        return None
    try:
        import matplotlib as mpl

        mpl.use("Agg")  # headless: servers have no screen
        import matplotlib.pyplot as plt
    except ImportError:
        log.info("matplotlib is not installed: /export sends no chart")
        return None
    shown = sorted(totals, key=lambda pair: pair[1])[-MAX_BARS:]
    figure, axes = plt.subplots(figsize=(7, 0.45 * len(shown) + 1.2), dpi=120)
    try:
        axes.barh([name for name, _ in shown], [value for _, value in shown], color="#d35400")
        axes.set_title(title)
        for spine in ("top", "right"):
            axes.spines[spine].set_visible(False)
        for index, (_, value) in enumerate(shown):
            axes.text(value, index, f" {value}", va="center")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)

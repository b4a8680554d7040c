"""Chart images for the monthly report (PNG, Chinese labels from the system's Noto CJK font)."""

from __future__ import annotations

import io
import logging
from functools import cache

# The candidates, best first; only those installed are given to matplotlib (a missing family in
# font.family logs a findfont warning for every text drawn, thousands per report).
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "DejaVu Sans"]


def installed_fonts(font_manager) -> list[str]:
    """The CJK_FONTS that matplotlib's font manager knows, in order; DejaVu Sans (bundled with
    matplotlib) when none is."""
    known = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in known] or ["DejaVu Sans"]


@cache
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no findfont chatter
    for path in font_manager.findSystemFonts():
        if "CJK" in path or "wqy" in path.lower():
            font_manager.fontManager.addfont(path)
    plt.rcParams["font.family"] = installed_fonts(font_manager)
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def bars(title: str, labels: list[str], values: list[float], *, percent: bool = False, color: str = "#c0392b") -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    shown = [v * 100 if percent else v for v in values]
    ax.bar(labels, shown, color=color)
    ax.set_title(title)
    if percent:
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
    for i, v in enumerate(shown):
        ax.text(i, v, f"{v:.1f}" if percent else f"{v:g}", ha="center", va="bottom", fontsize=8)
    ax.tick_params(axis="x", labelrotation=20 if len(labels) > 5 else 0, labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def trend(title: str, months: list[str], received: list[int], rate: list[float | None], rate_label: str) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ax.bar(months, received, color="#9fb8d6", label="收到（件）")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    other = ax.twinx()
    other.plot(months, [None if r is None else r * 100 for r in rate], color="#c0392b", marker="o", label=rate_label)
    other.set_ylim(0, 100)
    other.set_ylabel("%")
    lines = ax.get_legend_handles_labels()
    more = other.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    ax.spines[["top"]].set_visible(False)
    return _png(fig)

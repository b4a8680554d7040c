"""The wall flowchart (附件1) drawn as SVG from the workflow definition.

Boxes are statuses and the starting points of the seed's chart; arrows are the workflow's
transitions, labelled with the action (and, for screening, the outcome's condition). Only the
positions are laid out here; what connects to what comes from workflow.transitions().
"""

from __future__ import annotations

from html import escape

from daiban.petitions.actions import ACTIONS, transitions
from daiban.petitions.choices import ScreenOutcome, Status
from daiban.petitions.workflow import SCREEN_OUTCOMES

W, H = 150, 40  # box size
# Column and row of each box on the chart (x, y in px), following the seed's top-down reading.
LAYOUT = {
    "sources": (420, 20), "received": (420, 110),
    "answered": (40, 230), "redirected_legal": (230, 230), "guided": (610, 230), "declined": (800, 230),
    "accepted": (420, 230), "in_progress": (420, 340), "escalated": (720, 340),
    "concluded": (420, 450), "feedback_given": (420, 560), "under_review": (720, 560),
    "terminated": (420, 670), "followed_up": (420, 780), "archived": (420, 890),
}
CONDITIONS: dict[str, str] = {  # the seed's words for each screening branch
    ScreenOutcome.DIRECT_REPLY: "简单的", ScreenOutcome.LEGAL_CHANNEL: "非代办范围的", ScreenOutcome.GUIDED: "不愿代办的",
    ScreenOutcome.AGENCY: "无法直接答复的", ScreenOutcome.DECLINED: "不予代办",
}
SOURCE_TEXT = ["信访人提出信访事项（信、访、网、电）", "上级交办、嘎查村（社区）上报、主动排查"]


def _box(key: str, lines: list[str], tone: str = "#e7f1ff") -> str:
    x, y = LAYOUT[key]
    width = W if key != "sources" else 300
    x = x if key != "sources" else x - 75
    text = "".join(
        f'<text x="{x + width / 2}" y="{y + 16 + 14 * i}" text-anchor="middle" font-size="13">{escape(t)}</text>'
        for i, t in enumerate(lines)
    )
    return (f'<g data-node="{key}"><rect x="{x}" y="{y}" width="{width}" height="{H + 14 * (len(lines) - 1)}" '
            f'rx="6" fill="{tone}" stroke="#0a58ca"/>{text}</g>')


def _edge(a: str, b: str, label: str, paired: bool = False) -> str:
    """An arrow from box a to box b. `paired`: the reverse arrow exists too, so this one is drawn
    a little above (rightwards) or below (leftwards) with its label on its own side."""
    ax, ay = LAYOUT[a]
    bx, by = LAYOUT[b]
    x1, y1 = ax + W / 2, float(ay + H)
    x2, y2 = bx + W / 2, float(by)
    shift = 0.0
    if ay == by:  # side by side: from the right edge to the left edge
        shift = (-8 if bx > ax else 8) if paired else 0
        x1, y1, x2, y2 = (ax + W, ay + H / 2, bx, by + H / 2) if bx > ax else (ax, ay + H / 2, bx + W, by + H / 2)
        y1, y2 = y1 + shift, y2 + shift
    elif by < ay:  # going back up (review upheld → handling): route around the right side
        x1, y1, x2, y2 = ax + W, ay + H / 2, bx + W, by + H / 2
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2 + (14 if shift > 0 else 0)
    return (f'<g data-edge="{a}>{b}"><line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#495057" '
            f'stroke-width="1.4" marker-end="url(#arrow)"/>'
            f'<text x="{mx + 4}" y="{my - 3}" font-size="11" fill="#495057">{escape(label)}</text></g>')


def _loop(key: str, label: str) -> str:
    """An action that keeps the status (after termination: conduct recorded, referral made), drawn as
    a loop on the left of its box."""
    x, y = LAYOUT[key]
    top, bottom = y + 8, y + H - 8
    return (f'<g data-edge="{key}>{key}"><path d="M {x} {top} C {x - 40} {top - 6}, {x - 40} {bottom + 6}, {x} {bottom}" '
            f'fill="none" stroke="#495057" stroke-width="1.2" marker-end="url(#arrow)"/>'
            f'<text x="{x - 44}" y="{y + H / 2 + 4}" text-anchor="end" font-size="11" fill="#495057">{escape(label)}</text></g>')


# Status-keeping actions worth a loop on the wall chart (the others, urging and contact, would
# clutter it): those of the after-termination stage.
LOOP_STAGE = "daiban.petitions.actions.aftercare"


def svg() -> str:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 980 960" role="img" '
        'aria-labelledby="fc-title" font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif">',
        '<title id="fc-title">信访代办服务室工作流程图</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#495057"/></marker></defs>',
        _box("sources", SOURCE_TEXT, "#fff3cd"),
        _edge("sources", "received", "代办服务站（室）"),
    ]
    seen: set[tuple[str, str]] = set()
    pairs = {(s, t) for s, _, t in transitions()}
    for source, action, target in transitions():
        if source == target or (source, target) in seen or source not in LAYOUT or target not in LAYOUT:
            continue
        seen.add((source, target))
        if action == "screen":
            outcome = next(o for o, s in SCREEN_OUTCOMES.items() if s == target)
            label = CONDITIONS[outcome]
        elif action == "archive" and source != Status.FOLLOWED_UP:
            continue  # screened-out matters are filed too; drawing every arrow would clutter the wall chart
        else:
            label = ACTIONS[action].label
        parts.append(_edge(source, target, label, paired=(target, source) in pairs))
    loops: dict[str, list[str]] = {}
    for source, action, target in transitions():
        if source == target and source in LAYOUT and ACTIONS[action].handler.__module__ == LOOP_STAGE:
            loops.setdefault(source, []).append(ACTIONS[action].label)
    parts += [_loop(key, "、".join(names)) for key, names in loops.items()]
    labels = dict(Status.choices)
    for key in LAYOUT:
        if key == "sources":
            continue
        lines = [labels[key]]
        if key == "received":
            lines = ["进行甄别", "（甄别受理）"]
        elif key == "accepted":
            lines = ["指定或自主选择代办员", "填写《信访事项代办单》"]
        elif key == "in_progress":
            lines = ["代办员研判、流转", "15/30/60个工作日内办结"]
        elif key == "escalated":
            lines = ["上报旗信访代办服务中心", "或旗信访联席办"]
        elif key == "concluded":
            lines = ["办结", "反馈办理结果"]
        tone = "#d1e7dd" if key in ("answered", "redirected_legal", "guided", "declined", "archived") else "#e7f1ff"
        parts.append(_box(key, lines, tone))
    parts.append("</svg>")
    return "".join(parts)

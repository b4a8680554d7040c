"""附件1 《信访代办服务室工作流程图》 for the wall, box for box and arrow for arrow, as SVG.

The seed's chart reads: 开始 → 信访人 → 信访人提出信访事项（信、访、网、电）; beside it 上级交办、嘎查村
（社区）上报、主动排查信访事项; both go to 代办服务站（室）进行甄别, which has four branches in the seed's
words: 简单的 → 直接答复, 非代办范围的 → 告知按照法定途径解决 (both → 结束), 不愿代办的 → 引导至信访接待窗口
或事权单位办理 (→ 结束), 无法直接答复的 → 指定代办员或信访人自主选择代办员受理 → 填写《信访事项代办单》 →
代办员研判: 苏木镇（部门）可以解决的 → 15个工作日内办结 → 反馈办理结果 → 结束; 无法解决的 → 上报旗信访代办
服务中心 (→ 反馈办理结果). Three 结束.

Drawn in a 1000 × 1300 box with 26-unit type: on A4 the type is about 13 pt, on A3 about 18 pt.
The workflow's own state diagram (staff/flowchart.py) is the technical second page.
"""

from __future__ import annotations

from html import escape

FONT = 26
LINE = 32
STROKE = "#1f3b63"


def _text(cx: float, cy: float, lines: list[str], size: int = FONT, weight: str = "normal") -> str:
    top = cy - (len(lines) - 1) * LINE / 2
    return "".join(
        f'<text x="{cx}" y="{top + i * LINE + size * 0.36:.1f}" text-anchor="middle" font-size="{size}" '
        f'font-weight="{weight}">{escape(line)}</text>' for i, line in enumerate(lines)
    )


def _box(key: str, cx: float, cy: float, w: float, h: float, lines: list[str], shape: str = "box") -> str:
    x, y = cx - w / 2, cy - h / 2
    if shape == "oval":
        outline = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{h / 2}" fill="#fff7e0" stroke="{STROKE}" stroke-width="2.5"/>'
    elif shape == "diamond":
        outline = (f'<polygon points="{cx},{y} {x + w},{cy} {cx},{y + h} {x},{cy}" fill="#eef6ff" stroke="{STROKE}" '
                   f'stroke-width="2.5"/>')
    else:
        outline = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="#ffffff" stroke="{STROKE}" stroke-width="2.5"/>'
    return f'<g data-box="{key}">{outline}{_text(cx, cy, lines)}</g>'


def _arrow(key: str, points: list[tuple[float, float]], label: str = "", at: tuple[float, float] | None = None,
           anchor: str = "middle") -> str:
    path = " ".join(f"{x},{y}" for x, y in points)
    text = ""
    if label:
        lx, ly = at or points[0]
        size = FONT - 2
        width = len(label) * size + 8
        left = {"middle": lx - width / 2, "start": lx - 4, "end": lx - width + 4}[anchor]
        # A white ground under the words, so the line they sit on never crosses them.
        text = (f'<rect x="{left:.1f}" y="{ly - size * 0.9:.1f}" width="{width}" height="{size * 1.25:.1f}" fill="#ffffff"/>'
                f'<text x="{lx}" y="{ly}" text-anchor="{anchor}" font-size="{size}" fill="#8a1c1c" '
                f'font-weight="bold">{escape(label)}</text>')
    return (f'<g data-arrow="{key}"><polyline points="{path}" fill="none" stroke="{STROKE}" stroke-width="2.5" '
            f'marker-end="url(#wall-arrow)"/>{text}</g>')


def svg() -> str:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1300" role="img" aria-labelledby="wall-title" '
        'font-family="Noto Serif CJK SC, Noto Sans CJK SC, SimSun, serif">',
        '<title id="wall-title">信访代办服务室工作流程图</title>',
        '<defs><marker id="wall-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{STROKE}"/></marker></defs>',
        # 开始 → 信访人 → the petitioner's own request; the other sources beside it.
        _box("start", 300, 40, 170, 56, ["开始"], "oval"),
        _arrow("start>petitioner", [(300, 68), (300, 106)]),
        _box("petitioner", 300, 135, 200, 56, ["信访人"]),
        _arrow("petitioner>request", [(300, 163), (300, 201)]),
        _box("request", 300, 245, 400, 86, ["信访人提出信访事项", "（信、访、网、电）"]),
        _box("assigned", 760, 245, 400, 86, ["上级交办、嘎查村（社区）上报、", "主动排查信访事项"]),
        _arrow("request>screening", [(300, 288), (300, 335), (420, 335), (420, 361)]),
        _arrow("assigned>screening", [(760, 288), (760, 335), (600, 335), (600, 361)]),
        _box("screening", 510, 405, 400, 86, ["代办服务站（室）", "进行甄别"]),
        # The four branches of screening, with the seed's words.
        _arrow("screening>bus", [(510, 448), (510, 478)]),
        '<polyline points="125,478 875,478" fill="none" stroke="#1f3b63" stroke-width="2.5"/>',
        _arrow("screening>direct", [(125, 478), (125, 556)], "简单的", (125, 520)),
        _arrow("screening>legal", [(375, 478), (375, 556)], "非代办范围的", (375, 520)),
        _arrow("screening>guided", [(625, 478), (625, 556)], "不愿代办的", (625, 520)),
        _arrow("screening>agency", [(875, 478), (875, 556)], "无法直接答复的", (875, 520)),
        _box("direct", 125, 610, 220, 104, ["直接答复"]),
        _box("legal", 375, 610, 220, 104, ["告知按照", "法定途径解决"]),
        _box("guided", 625, 610, 220, 104, ["引导至信访接待", "窗口或事权", "单位办理"]),
        _box("agency", 875, 610, 220, 104, ["指定代办员或", "信访人自主选择", "代办员受理"]),
        _arrow("direct>end1", [(125, 662), (125, 735), (170, 735)]),
        _arrow("legal>end1", [(375, 662), (375, 735), (330, 735)]),
        _box("end1", 250, 735, 160, 56, ["结束"], "oval"),
        _arrow("guided>end2", [(625, 662), (625, 707)]),
        _box("end2", 625, 735, 160, 56, ["结束"], "oval"),
        # The agency path.
        _arrow("agency>form", [(875, 662), (875, 706)]),
        _box("form", 875, 740, 220, 68, ["填写《信访事项", "代办单》"]),
        _arrow("form>judge", [(875, 774), (875, 810)]),
        _box("judge", 875, 870, 230, 120, ["代办员研判"], "diamond"),
        _arrow("judge>solve", [(760, 870), (520, 870), (520, 966)], "苏木镇（部门）可以解决的", (640, 856)),
        _arrow("judge>escalate", [(875, 930), (875, 1006)], "无法解决的", (875, 972)),
        _box("solve", 520, 1005, 300, 76, ["15个工作日内办结"]),
        _box("escalate", 875, 1045, 220, 76, ["上报旗信访代办", "服务中心"]),
        _arrow("solve>feedback", [(520, 1043), (520, 1096)]),
        _arrow("escalate>feedback", [(875, 1083), (875, 1130), (672, 1130)]),
        _box("feedback", 520, 1130, 300, 68, ["反馈办理结果"]),
        _arrow("feedback>end3", [(520, 1164), (520, 1206)]),
        _box("end3", 520, 1235, 160, 56, ["结束"], "oval"),
        "</svg>",
    ]
    return "".join(parts)

"""Steps that cannot be taken back at one click: what the page asks before it sends them.

Each entry says what will happen, in the words a person at the counter uses. `when`: only for one
value of one field (不予代办 is an outcome of 甄别受理). The page's script (static/daiban/app.js)
asks with the text before the form goes; without script the step goes as before."""

from __future__ import annotations

from dataclasses import dataclass

from daiban.petitions import deadlines


@dataclass(frozen=True)
class Confirm:
    text: str
    field: str = ""
    values: tuple[str, ...] = ()


CONFIRM: dict[str, Confirm] = {
    "terminate": Confirm(f"终结后进入回访，{deadlines.FOLLOW_UP_DAYS}日内回访；终结后不能再反馈结果或申请复查复核。确定终结？"),
    "archive": Confirm("归档后一案一档封存案卷，不能再办理、修改或上传附件。确定整理归档？"),
    "decide_review": Confirm("决定作出后告知信访人：申请有理的重新办理并启动“一案双查”；维持原处理意见的，"
                             "复核维持即三级终结，不再受理。确定提交复查/复核决定？"),
    "screen": Confirm("不予代办后本事项不再代办，应告知信访人原因。确定不予代办？", "outcome", ("declined",)),
}


def confirm_for(action: str) -> Confirm | None:
    """The question asked before `action` is sent, or None for an ordinary step."""
    return CONFIRM.get(action)

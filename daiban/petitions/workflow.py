"""The 信访代办 workflow's statuses and actors. The actions themselves (where each may start, where it
leads, who may fire it, its guards, its input and its handler) are declared in `actions/`, one
module per stage; `daiban.petitions.actions.ACTIONS` is the table everything else reads (the API's
`GET …/actions`, the dispatcher, the staff pages, the flowchart, the tests).

Actor kinds (resolved per user and petition in permissions.actor_kinds):
  station_agent  an agent of the petition's station (or its parent center) — reception rotates
  case_agent     the assigned agent; while none is assigned, any agent of the station
  assigned_agent the assigned agent only
  station_leader the station's 带班 / 分管 / 主要 leaders
  leader_in_charge, principal   those leaders specifically (the 处置单's two opinion rows)
  department     a handler of the disposition's department
  center         the banner center (the higher agency)
  admin          the system administrator
  petitioner     the petitioner through the public portal (with the number and query code)
"""

from __future__ import annotations

from daiban.petitions.choices import Exclusion, ScreenOutcome, Status

S = Status

# Statuses in which the matter is open at the station ("正在办理" for the exclusion check too).
OPEN = frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ESCALATED, S.CONCLUDED, S.FEEDBACK_GIVEN, S.UNDER_REVIEW})
# Statuses in which the bureau's deadline runs and a petition can be overdue.
RUNNING = frozenset({S.IN_PROGRESS, S.ESCALATED})
# Screening outcomes that end the matter at the door.
SCREENED_OUT = frozenset({S.ANSWERED, S.REDIRECTED_LEGAL, S.GUIDED, S.DECLINED})
# Concluded or any later stage (closure rate's numerator).
CONCLUDED_OR_LATER = frozenset({S.CONCLUDED, S.FEEDBACK_GIVEN, S.UNDER_REVIEW, S.TERMINATED, S.FOLLOWED_UP, S.ARCHIVED})

# Screening outcome → status.
SCREEN_OUTCOMES: dict[str, str] = {
    ScreenOutcome.DIRECT_REPLY: S.ANSWERED,
    ScreenOutcome.LEGAL_CHANNEL: S.REDIRECTED_LEGAL,
    ScreenOutcome.GUIDED: S.GUIDED,
    ScreenOutcome.AGENCY: S.ACCEPTED,
    ScreenOutcome.DECLINED: S.DECLINED,
}

# The four exclusions (不予代办) and their wording, in DOMAIN.md's order.
EXCLUSIONS: dict[str, str] = dict(Exclusion.choices)

# 处置单 states in which the department still owes an answer (answered and returned ones are closed).
OPEN_DISPOSITION = frozenset({"routed", "received"})

# Who works a case: its agent, the center and the administrator.
CASE = frozenset({"case_agent", "center", "admin"})

import re

from django.urls import path, re_path, register_converter

import daiban.lib.converters  # noqa: F401  # registers <id:...>
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS
from daiban.staff.views import (
    audit,
    auth,
    bulk,
    cases,
    common,
    documents,
    double_checks,
    extras,
    intake,
    lists,
    notices,
    overview,
    people,
    queues,
    stats,
    wall,
)

app_name = "staff"


class _Names:
    """A path segment that is one of a fixed set of names (a petition's actions, a 处置单's, the steps
    of 一案双查): another name matches no page, so it is the 404 page whatever the method, while a
    wrong method on a real one is 405 (common.staff_required)."""

    names: tuple[str, ...] = ()
    regex = ""

    def __init_subclass__(cls) -> None:
        cls.regex = "|".join(re.escape(name) for name in sorted(cls.names, key=len, reverse=True))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class _PetitionAction(_Names):
    names = tuple(ACTIONS)


class _DispositionAction(_Names):
    names = tuple(DISPOSITION_ACTIONS)


class _DoubleCheckStep(_Names):
    names = tuple(double_checks.STEPS)


register_converter(_PetitionAction, "action")
register_converter(_DispositionAction, "disposition_action")
register_converter(_DoubleCheckStep, "dc_step")

urlpatterns = [
    path("", lists.workbench, name="workbench"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("otp/", auth.otp_verify, name="otp_verify"),
    path("otp/setup/", auth.otp_setup, name="otp_setup"),
    path("otp/backup-codes/", auth.otp_backup_codes, name="otp_backup_codes"),
    path("password/", auth.PasswordChangeView.as_view(), name="password"),
    path("account/", auth.account, name="account"),
    path("session/ping/", auth.session_ping, name="session_ping"),
    path("audit/", audit.audit_page, name="audit"),
    path("audit.xlsx", audit.audit_xlsx, name="audit_xlsx"),
    path("intake/", intake.intake, name="intake"),
    path("intake/check/", intake.intake_check, name="intake_check"),
    path("petitions/", lists.petition_list, name="petitions"),
    path("petitions/bulk/", bulk.bulk, name="bulk"),
    path("petitions/filters/", bulk.filter_save, name="filter_save"),
    path("petitions/filters/<id:pk>/delete/", bulk.filter_delete, name="filter_delete"),
    path("petitions/<id:pk>/", cases.case, name="case"),
    path("petitioners/<id:pk>/", people.petitioner, name="petitioner"),
    path("petitions/<id:pk>/act/<action:action>/", cases.act, name="act"),
    path("petitions/<id:pk>/undo/", cases.undo_step, name="undo"),
    path("dispositions/<id:pk>/share/", cases.disposition_share, name="disposition_share"),
    path("petitions/<id:pk>/related/<id:related_id>/dismiss/", cases.unlink, name="unlink"),
    path("petitions/<id:pk>/related/<id:related_id>/confirm/", cases.link, name="link"),
    path("petitions/<id:pk>/receipt/", extras.receipt, name="receipt"),
    path("petitions/<id:pk>/notes/", extras.case_notes, name="case_notes"),
    path("petitions/<id:pk>/messages/", extras.case_messages, name="case_messages"),
    path("petitions/<id:pk>/petitioner/correction/", cases.petitioner_correct, name="petitioner_correct"),
    path("dispositions/", queues.dispositions, name="dispositions"),
    path("dispositions/<id:pk>/act/<disposition_action:action>/", cases.disposition_act, name="disposition_act"),
    path("opinions/", queues.opinions, name="opinions"),
    path("running/", overview.running, name="running"),
    path("opinions/<id:pk>/", queues.opinion_sign, name="opinion_sign"),
    path("roster/", wall.duty_roster, name="roster"),
    path("board/", wall.agent_board, name="board"),
    path("board/screen/", wall.agent_board, {"screen": True}, name="board_screen"),
    path("flowchart/", wall.flowchart_page, name="flowchart"),
    path("flowchart.svg", wall.flowchart_svg, name="flowchart_svg"),
    path("calendar/", wall.work_calendar, name="calendar"),
    path("notices/", notices.notices, name="notices"),
    path("notices/<id:pk>/", notices.open_notice, name="notice_open"),
    path("stats/", stats.dashboard, name="stats"),
    path("stats/report.<str:fmt>", stats.report_download, name="stats_report"),
    path("petitions/<id:pk>/forms/agency.<str:fmt>", documents.agency_form, name="agency_form"),
    path("dispositions/<id:pk>/form.<str:fmt>", documents.disposition_form, name="disposition_form"),
    path("petitions/<id:pk>/archive.zip", documents.archive_zip, name="archive_zip"),
    path("petitions/<id:pk>/notices/<str:kind>.<str:fmt>", documents.notice, name="notice"),
    path("petitions/<id:pk>/attachments/", documents.attachment_upload, name="attachment_upload"),
    path("attachments/<id:pk>/", documents.attachment_download, name="attachment"),
    path("judicial_referrals/<id:pk>/letter.<str:fmt>", documents.referral_letter, name="referral_letter"),
    path("double_checks/", double_checks.double_check_list, name="double_checks"),
    path("double_checks/<id:pk>/", double_checks.double_check_page, name="double_check"),
    path("double_checks/<id:pk>/<dc_step:step>/", double_checks.double_check_step, name="double_check_step"),
    path("ledger.xlsx", documents.ledger_xlsx, name="ledger"),
    path("flowchart.pdf", documents.flowchart_pdf, name="flowchart_pdf"),
    path("board.pdf", documents.board_pdf, name="board_pdf"),
    # Last: any other /staff/ address answers with the Chinese 404 page, also with DEBUG on.
    re_path(r"^(?P<rest>.*)$", common.unknown_url, name="not_found"),
]

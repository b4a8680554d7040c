from django.urls import path

from daiban.staff.views import auth, cases, documents, intake, lists, notices, queues, stats, wall

app_name = "staff"

urlpatterns = [
    path("", lists.workbench, name="workbench"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("intake/", intake.intake, name="intake"),
    path("intake/check/", intake.intake_check, name="intake_check"),
    path("petitions/", lists.petition_list, name="petitions"),
    path("petitions/<int:pk>/", cases.case, name="case"),
    path("petitions/<int:pk>/act/<slug:action>/", cases.act, name="act"),
    path("petitions/<int:pk>/related/<int:related_id>/dismiss/", cases.unlink, name="unlink"),
    path("dispositions/", queues.dispositions, name="dispositions"),
    path("dispositions/<int:pk>/act/<slug:action>/", cases.disposition_act, name="disposition_act"),
    path("opinions/", queues.opinions, name="opinions"),
    path("opinions/<int:pk>/", queues.opinion_sign, name="opinion_sign"),
    path("roster/", wall.duty_roster, name="roster"),
    path("board/", wall.agent_board, name="board"),
    path("board/screen/", wall.agent_board, {"screen": True}, name="board_screen"),
    path("flowchart/", wall.flowchart_page, name="flowchart"),
    path("flowchart.svg", wall.flowchart_svg, name="flowchart_svg"),
    path("calendar/", wall.work_calendar, name="calendar"),
    path("notices/", notices.notices, name="notices"),
    path("stats/", stats.dashboard, name="stats"),
    path("stats/report.<str:fmt>", stats.report_download, name="stats_report"),
    path("petitions/<int:pk>/forms/agency.<str:fmt>", documents.agency_form, name="agency_form"),
    path("dispositions/<int:pk>/form.<str:fmt>", documents.disposition_form, name="disposition_form"),
    path("petitions/<int:pk>/archive.zip", documents.archive_zip, name="archive_zip"),
    path("petitions/<int:pk>/notices/<str:kind>.<str:fmt>", documents.notice, name="notice"),
    path("petitions/<int:pk>/attachments/", documents.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", documents.attachment_download, name="attachment"),
    path("ledger.xlsx", documents.ledger_xlsx, name="ledger"),
    path("flowchart.pdf", documents.flowchart_pdf, name="flowchart_pdf"),
    path("board.pdf", documents.board_pdf, name="board_pdf"),
]

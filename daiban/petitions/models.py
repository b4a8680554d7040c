"""信访事项 and everything recorded about it. Status changes happen only in the actions (actions/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from daiban.audit.guard import AppendOnlyQuerySet
from daiban.lib import crypto
from daiban.org.models import Agent, Department, Station
from daiban.petitions.choices import (  # noqa: F401  (the value lists stay importable from here)
    Channel,
    ConductKind,
    ContactMethod,
    DispositionState,
    ReviewLevel,
    Satisfaction,
    ScreenOutcome,
    Source,
    Status,
    Track,
)


class Category(models.Model):
    """内容分类: a managed list (admin), set at intake or screening, printed on the 处置单."""

    name = models.CharField("名称", max_length=50, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "内容分类"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Petitioner(models.Model):
    """信访人. ID and phone are stored SM4-encrypted; equality look-ups go through keyed hashes."""

    name = models.CharField("姓名", max_length=50)
    id_number_enc = models.TextField("身份证号（密文）")
    id_hash = models.CharField("身份证号查询摘要", max_length=64, unique=True)
    phone_enc = models.TextField("电话（密文）")
    phone_hash = models.CharField("电话查询摘要", max_length=64, db_index=True)
    address = models.CharField("地址", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "信访人"

    def __str__(self) -> str:
        return self.name

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)


class NumberSequence(models.Model):
    """The last number given per prefix and year; locked during intake so numbers have no gaps."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="number_sequence_unique")]


class Petition(models.Model):
    number = models.CharField("编号", max_length=40, unique=True)
    query_code = models.CharField("查询码", max_length=16)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    external_id = models.CharField("外部编号", max_length=100, null=True, blank=True)  # noqa: DJ001 (NULL: unique only when given)
    received_on = models.DateField("收到日期", db_index=True)
    petitioner = models.ForeignKey(Petitioner, verbose_name="信访人", on_delete=models.PROTECT, related_name="petitions")
    # The petitioner as registered with this petition: what its pages, forms, ledger and SMS show.
    # The person is linked by the keyed ID hash (`petitioner`); a later intake of the same person,
    # from the portal or another station, never changes these. Only a logged correction by staff
    # who may see the full data does (services.petitioner_correct, PetitionerCorrection).
    petitioner_name = models.CharField("信访人姓名", max_length=50, default="")
    petitioner_phone_enc = models.TextField("信访人电话（密文）", default="")
    petitioner_phone_hash = models.CharField("信访人电话查询摘要", max_length=64, default="", db_index=True)
    petitioner_address = models.CharField("信访人地址", max_length=200, blank=True, default="")
    content = models.TextField("反映的问题及诉求")
    # The Category's name: stable in printed forms and exports even if the list is edited later.
    category = models.CharField("内容分类", max_length=50, blank=True, db_index=True)
    in_judicial_proceedings = models.BooleanField("已进入司法程序", default=False)
    station = models.ForeignKey(Station, verbose_name="代办机构", on_delete=models.PROTECT, related_name="petitions")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RECEIVED)

    # 甄别受理
    screened_on = models.DateField("甄别日期", null=True, blank=True)
    reply = models.TextField("答复/告知/引导说明", blank=True)
    decline_reason = models.CharField("不予代办原因", max_length=30, blank=True)
    agent = models.ForeignKey(
        Agent, verbose_name="代办员", null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )
    agent_chosen_by = models.CharField("代办员产生方式", max_length=12, blank=True)
    notification = models.CharField("告知方式", max_length=10, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)

    # 办理 and the bureau's deadline (working days from due_from)
    track = models.CharField("办理类别", max_length=20, choices=Track.choices, blank=True)
    proposed_handling = models.TextField("拟办意见", blank=True)
    # 《信访工作条例》: the petitioner's identity never reaches the unit complained about. Named by the
    # agent at routing; that unit's handlers see this matter without name, address, ID or phone, as a
    # unit whose `sees_identity` is off sees every matter (permissions.identity_hidden).
    complained_department = models.ForeignKey(
        Department, verbose_name="被反映单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    solution_determined_on = models.DateField("方案确定日期", null=True, blank=True)
    convened_by = models.CharField("会商召集人", max_length=20, blank=True)
    due_from = models.DateField("时限起算日", null=True, blank=True)
    due_workdays = models.PositiveSmallIntegerField("时限（工作日）", null=True, blank=True)
    due_on = models.DateField("办结时限", null=True, blank=True)
    due_provisional = models.BooleanField("时限落在未确认年度", default=False)
    escalated_to = models.CharField("上报至", max_length=20, blank=True)

    # The national outer limits (calendar days, 《信访工作条例》)
    national_forward_due_on = models.DateField("登记转送时限（条例）", null=True, blank=True)
    national_due_on = models.DateField("办理时限（条例）", null=True, blank=True)
    national_extension_days = models.PositiveSmallIntegerField("延期天数", default=0)
    extension_reason = models.TextField("延期理由", blank=True)

    # 办结、反馈
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    # Sticky: set when any conclusion of the matter (a review found right hands it back, and it is
    # concluded again) came after the limit in force that day (deadlines.concluded_late). The
    # statistics' 按期办结, the ledger's 是否按期 and the case summary read it, never today's dates.
    concluded_late = models.BooleanField("曾超期办结", default=False)
    result = models.TextField("代理结果", blank=True)
    feedback_on = models.DateField("反馈日期", null=True, blank=True)
    feedback_method = models.CharField("反馈方式", max_length=10, blank=True)
    satisfaction = models.CharField("信访人意见", max_length=20, choices=Satisfaction.choices, blank=True)
    rated_by_petitioner = models.BooleanField("信访人已在网上评价", default=False)
    # Two facts kept apart (`satisfaction` above is the one the API and the statistics read, see
    # feedback.effective_satisfaction): what staff recorded at the feedback, and the petitioner's own rating.
    feedback_satisfaction = models.CharField("反馈时信访人意见", max_length=20, choices=Satisfaction.choices, blank=True)
    online_satisfaction = models.CharField("信访人网上评价", max_length=20, choices=Satisfaction.choices, blank=True)
    online_rated_at = models.DateTimeField("网上评价时间", null=True, blank=True)
    review_request_due_on = models.DateField("申请复查/复核截止", null=True, blank=True)
    review_answer_due_on = models.DateField("复查/复核答复时限", null=True, blank=True)
    # The level of the latest request (复查 or 复核): the status under_review reads 复查中 or 复核中.
    review_level = models.CharField("复查/复核级别", max_length=10, choices=ReviewLevel.choices, blank=True)

    # 终结、回访、归档
    terminated_on = models.DateField("终结日期", null=True, blank=True)
    three_level_terminated = models.BooleanField("三级终结", default=False)
    three_in_place = models.BooleanField("已落实三到位一处理", default=False)
    follow_up_due_on = models.DateField("回访时限", null=True, blank=True)
    followed_up_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_note = models.TextField("回访情况", blank=True)
    rebound = models.BooleanField("反弹回流", null=True, blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)

    last_event_on = models.DateField("最近办理日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "信访事项"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=Q(external_id__isnull=False), name="petition_external_unique"
            )
        ]
        indexes = [
            # Covers the overdue list and its count for any visibility (station or assigned agent)
            # without reading the table.
            models.Index(fields=["status", "due_on", "station", "agent"], name="petition_status_due_idx"),
            models.Index(fields=["station", "status"], name="petition_station_status_idx"),
            # The list's most used filter pairs, so their counts are index range scans.
            models.Index(fields=["status", "channel"], name="petition_status_channel_idx"),
            models.Index(fields=["status", "source"], name="petition_status_source_idx"),
            models.Index(fields=["agent", "status"], name="petition_agent_status_idx"),
            # The workbench queues: to screen (oldest first) and follow-up visits (soonest first).
            models.Index(fields=["status", "received_on"], name="petition_status_received_idx"),
            models.Index(fields=["status", "follow_up_due_on"], name="petition_follow_up_idx"),
            models.Index(fields=["petitioner", "id"], name="petition_petitioner_idx"),
            # Statistics read a period's petitions from this index alone (no table look-ups):
            # every column the figures and breakdowns use, after the period's date.
            models.Index(fields=["received_on", "station", "status", "channel", "source", "category", "accepted_on",
                                 "concluded_on", "due_on", "satisfaction", "agent", "terminated_on",
                                 "follow_up_due_on", "followed_up_on", "rebound", "concluded_late"],
                         name="petition_stats_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def petitioner_phone(self) -> str:
        return crypto.decrypt(self.petitioner_phone_enc)


class Disposition(models.Model):
    """One department's part of a petition: the 信访事项处置单."""

    State = DispositionState

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="dispositions")
    department = models.ForeignKey(Department, verbose_name="事权单位", on_delete=models.PROTECT, related_name="dispositions")
    # The petition's station, copied at routing (a petition never changes station), so the
    # station's queues read one index instead of joining every open 处置单 to its petition.
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    number = models.CharField("处置单编号", max_length=50, unique=True)
    status = models.CharField("状态", max_length=10, choices=State.choices, default=State.ROUTED)
    routed_on = models.DateField("流转日期")
    received_on = models.DateField("签收日期", null=True, blank=True)
    proposed_handling = models.TextField("拟办意见", blank=True)
    # 内容摘要 written by the agent at routing when the whole content does not fit the 处置单;
    # blank: the form prints the whole content (never a silent cut).
    summary = models.TextField("内容摘要", blank=True)
    leader_opinion = models.TextField("分管领导处理意见", blank=True)
    leader_opinion_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    leader_opinion_on = models.DateField(null=True, blank=True)
    principal_instruction = models.TextField("领导批示", blank=True)
    principal_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    principal_on = models.DateField(null=True, blank=True)
    due_from = models.DateField(null=True, blank=True)
    due_workdays = models.PositiveSmallIntegerField(null=True, blank=True)
    due_on = models.DateField("办理时限", null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    result = models.TextField("处理结果", blank=True)
    result_on = models.DateField("办结日期", null=True, blank=True)
    returned_on = models.DateField("退回日期", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    # The agent shared this 处置单 (its result) with the other departments asked to act on the same
    # petition; otherwise a department sees only its own (petitions/sharing.py).
    shared = models.BooleanField("共享给其他承办单位", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "信访事项处置单"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["department", "status"], name="disposition_dept_status_idx"),
            # Open 处置单 in deadline order (the leaders' and departments' queues, overdue urging)
            # without a sort; answered ones, the bulk over the years, stay out of the index.
            models.Index(fields=["due_on", "id"], condition=Q(status__in=["routed", "received"]),
                         name="disposition_open_due_idx"),
            models.Index(fields=["station", "due_on", "id"], condition=Q(status__in=["routed", "received"]),
                         name="disposition_open_station_idx"),
            # The department's answered 处置单, newest first (its queue page): without it the page
            # sorts every answered one of the department, which grows with the years.
            models.Index(fields=["department", "status", "-result_on", "-id"], name="disposition_dept_done_idx"),
            # 超期 of a period (selectors.lapsed_dispositions: the statistics and the list's filter): the
            # 处置单 due in the period read from this index alone, not every 处置单 joined to its petition.
            models.Index(fields=["due_on", "routed_on", "result_on", "returned_on", "department", "station", "petition"],
                         name="disposition_limit_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class Urging(models.Model):
    """催办: one entry of the 处置单's 进度催办 row."""

    disposition = models.ForeignKey(Disposition, on_delete=models.CASCADE, related_name="urgings")
    on = models.DateField("催办日期")
    note = models.TextField("催办内容", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    automatic = models.BooleanField("系统自动催办", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [  # the daily sweep urges a 处置单 at most once a working day
            models.UniqueConstraint(fields=["disposition", "on"], condition=Q(automatic=True),
                                    name="urging_automatic_once_a_day"),
        ]


class OpinionSupplement(models.Model):
    """补充意见: a leader's later words on a 处置单 row already signed (a signed opinion is never replaced)."""

    disposition = models.ForeignKey(Disposition, on_delete=models.CASCADE, related_name="supplements")
    role = models.CharField("意见类别", max_length=20)
    text = models.TextField("补充意见")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    on = models.DateField("签批日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "处置单补充意见"
        ordering = ["id"]


class Contact(models.Model):
    """The agent's contact with the petitioner (to report progress, explain a delay)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField("方式", max_length=10, choices=ContactMethod.choices)
    on = models.DateField("日期")
    note = models.TextField("内容", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]


class Review(models.Model):
    """复查 / 复核 at the higher agency."""

    Level = ReviewLevel

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="reviews")
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    requested_on = models.DateField("申请日期")
    reason = models.TextField("申请理由", blank=True)
    answer_due_on = models.DateField("答复时限")
    decided_on = models.DateField("决定日期", null=True, blank=True)
    upheld = models.BooleanField("申请有理", null=True, blank=True)
    note = models.TextField("意见", blank=True)

    class Meta:
        ordering = ["id"]


class DoubleInvestigation(models.Model):
    """一案双查: opened when a review finds the petitioner's request reasonable."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="double_investigations")
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="double_investigation")
    opened_on = models.DateField("启动日期")
    note = models.TextField("说明", blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    # Its lifecycle (double_checks.py): the center assigns a responsible person, who records the
    # findings on the matter and on the handling (and any accountability); the center closes it.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="double_checks")
    assigned_on = models.DateField("指派日期", null=True, blank=True)
    matter_findings = models.TextField("查事情况", blank=True)
    handling_findings = models.TextField("查人（办理）情况", blank=True)
    accountability = models.TextField("责任追究", blank=True)
    findings_on = models.DateField("查明日期", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    close_note = models.TextField("结束意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一案双查"
        ordering = ["id"]
        indexes = [models.Index(fields=["closed_on", "id"], name="double_check_closed_idx")]

    @property
    def status(self) -> str:
        return "closed" if self.closed_on else "open"


class JudicialReferral(models.Model):
    """移送司法机关: after termination, the conduct recorded so far and its evidence handed over."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="judicial_referrals")
    organ = models.CharField("移送机关", max_length=100)
    on = models.DateField("移送日期")
    note = models.TextField("移送材料及说明")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "移送司法机关"
        ordering = ["id"]


class Conduct(models.Model):
    """One occurrence of 缠访、闹访、以访施压、以访夺法、以访谋利 after termination; its evidence are
    attachments (documents.Attachment.conduct); `referral` once handed to the judicial organs."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="conduct")
    kind = models.CharField("行为", max_length=20, choices=ConductKind.choices)
    on = models.DateField("发生日期")
    note = models.TextField("情况记录")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    referral = models.ForeignKey(JudicialReferral, null=True, blank=True, on_delete=models.RESTRICT,
                                 related_name="conduct")

    class Meta:
        verbose_name = verbose_name_plural = "缠访闹访等行为记录"
        ordering = ["id"]


class PetitionLink(models.Model):
    """An earlier petition on the same matter (重复信访), found at intake."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="links")
    related = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="linked_from")
    reason = models.CharField(max_length=20, default="same_matter")
    score = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["petition", "related"], name="petition_link_unique")]


PETITIONER_ACTOR = "信访人（网上）"  # the petitioner acting through the portal
SYSTEM_ACTOR = "系统"  # the sweep, calendar recomputation, archive freezing


class Event(models.Model):
    """Append-only: every action on a petition. The timeline, archive and statistics read these."""

    petition = models.ForeignKey(Petition, verbose_name="信访事项", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    on = models.DateField("发生日期")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=50, blank=True)
    action = models.CharField("动作", max_length=30)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()  # no bulk update or delete (daiban.audit.guard)

    class Meta:
        verbose_name = verbose_name_plural = "办理记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["petition", "id"], name="event_petition_idx"), models.Index(fields=["action", "on"], name="event_action_on_idx")]

    @classmethod
    def record(cls, petition: Petition, action: str, *, actor=None, actor_name: str = SYSTEM_ACTOR, on=None,
               note: str = "", data: dict | None = None, from_status: str | None = None,
               to_status: str | None = None) -> Event:
        """Append one entry. A staff actor is named by their account; without one, `actor_name` says
        who (the petitioner or the system). The statuses default to the petition's own (no change).
        Writes whose event others act upon go through petitions.events.record, which hands it off."""
        return cls.objects.create(
            petition=petition, action=action, actor=actor, actor_name=actor.display_name if actor else actor_name,
            on=on or timezone.localdate(), note=bounded_note(note), data=data or {},
            from_status=petition.status if from_status is None else from_status,
            to_status=petition.status if to_status is None else to_status,
        )


# An event's note holds what the action recorded: the typed text of any action (up to TEXT_MAX, 5000)
# with its label. Longer only by a system's own notes (a recomputation listing every moved limit),
# cut visibly, never silently.
EVENT_NOTE_MAX = 6000


def bounded_note(note: str) -> str:
    return note if len(note) <= EVENT_NOTE_MAX else note[: EVENT_NOTE_MAX - 8] + "……（以下从略）"


class PetitionerCorrection(models.Model):
    """An explicit correction of a petitioner's name, phone or address by staff who may see the
    full data: who, when, why, and the old and new values (SM4-encrypted, never in clear text).
    Append-only, like the events; the timeline says that a correction happened, not what."""

    petitioner = models.ForeignKey(Petitioner, verbose_name="信访人", on_delete=models.PROTECT, related_name="corrections")
    petition = models.ForeignKey(Petition, verbose_name="信访事项", on_delete=models.PROTECT, related_name="petitioner_corrections")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("更正时间", auto_now_add=True)
    reason = models.TextField("更正理由")
    fields = models.CharField("更正项目", max_length=50)
    changes_enc = models.TextField("更正前后（密文）")
    applied_to = models.JSONField("更新登记信息的信访事项", default=list)

    objects = AppendOnlyQuerySet.as_manager()  # no bulk update or delete (daiban.audit.guard)

    class Meta:
        verbose_name = verbose_name_plural = "信访人信息更正记录"
        ordering = ["-id"]


class PersonalDataView(models.Model):
    """Who saw a petitioner's full ID or phone number, and when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.PROTECT, related_name="+")
    petition = models.ForeignKey(Petition, verbose_name="信访事项", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField("查看时间", auto_now_add=True)
    fields = models.CharField("查看项目", max_length=100)
    via = models.CharField("查看途径", max_length=40, default="api")

    objects = AppendOnlyQuerySet.as_manager()  # no bulk update or delete (daiban.audit.guard)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查看记录"
        ordering = ["-id"]
from daiban.petitions.index_models import MatterBucket, MatterLink, PetitionFeatures, SearchEntry, TermCount  # noqa: E402, F401  (registered with the app)
from daiban.petitions.practice_models import Escalation, ExtensionRequest, Reassignment  # noqa: E402, F401  (registered with the app)

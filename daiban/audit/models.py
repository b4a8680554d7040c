"""The security audit trail (等保 2.0 level 3, 安全审计): one append-only table, hash-chained with SM3."""

from __future__ import annotations

from django.db import models

from daiban.audit import labels
from daiban.audit.guard import AppendOnlyQuerySet


class Action(models.TextChoices):
    LOGIN_SUCCESS = "login_success", "登录成功"
    LOGIN_FAILURE = "login_failure", "登录失败"
    LOCKOUT = "lockout", "账号锁定"
    UNLOCK = "unlock", "解除锁定"
    LOGOUT = "logout", "退出登录"
    SESSION_EXPIRED = "session_expired", "会话超时退出"
    OTP_ENROLLED = "otp_enrolled", "启用双因素认证"
    OTP_FAILURE = "otp_failure", "动态验证码错误"
    OTP_REMOVED = "otp_removed", "双因素认证被重置"
    BACKUP_CODES = "backup_codes", "生成备用验证码"
    PASSWORD_CHANGE = "password_change", "修改密码"
    ROLE_CHANGE = "role_change", "角色或状态变更"
    TOKEN_ISSUE = "token_issue", "签发接口令牌"
    TOKEN_REVOKE = "token_revoke", "注销接口令牌"
    PERSONAL_DATA_VIEW = "personal_data_view", "查看完整个人信息"
    IDENTITY_SEARCH = "identity_search", "按身份证号或电话查询"
    EXPORT_LEDGER = "export_ledger", "导出台账"
    EXPORT_ARCHIVE = "export_archive", "下载案卷"
    EXPORT_AUDIT = "export_audit", "导出审计记录"
    CALENDAR_CHANGE = "calendar_change", "修改工作日历"
    SETTINGS_CHANGE = "settings_change", "修改基础数据或设置"
    ROSTER_CHANGE = "roster_change", "调整带班与接访安排"


class AuditEntry(models.Model):
    """One security event. `seq` numbers the chain without gaps; `hash` = SM3(previous hash ‖ this row).

    Rows are never updated or deleted (see daiban.audit.guard); `manage.py audit_verify` recomputes
    the chain and names the first row that does not match.
    """

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_username = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("事件", max_length=40, choices=Action.choices, db_index=True)
    target_type = models.CharField("对象类型", max_length=40, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=200, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("上一条哈希", max_length=64)
    hash = models.CharField("哈希（SM3）", max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "安全审计记录"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor_username", "at"], name="audit_actor_at_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} {self.actor_username}"

    @property
    def detail_text(self) -> str:
        """`detail` in Chinese (途径：员工页面；原因：密码错误), as the page and the XLSX show it."""
        return labels.describe(self.detail)

    @property
    def target_type_label(self) -> str:
        return labels.target_type_label(self.target_type)

"""What the portal keeps of its own: the one-time token of each submission form."""

from __future__ import annotations

from django.db import models

from daiban.petitions.models import Petition


class Submission(models.Model):
    """The petition a portal form's one-time token was used for. A second post of the same form (a
    double tap, a retry after a slow upload, the back button) shows that petition's number and query
    code instead of registering the same complaint again, which intake would then decline as 正在办理."""

    token = models.CharField("表单令牌", max_length=64, unique=True)
    # The browser that sent it (a keyed hash of its CSRF cookie): only that browser is shown the
    # number and query code again; a token seen elsewhere reveals nothing.
    browser = models.CharField("浏览器标识", max_length=64, blank=True)
    petition = models.ForeignKey(Petition, verbose_name="信访事项", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "网上提交记录"


class QrTicket(models.Model):
    """The key of the answer page's QR code, for a browser without JavaScript.

    The QR code's address carries the query code in its fragment (#code=…), which browsers never send
    to a server; only script can read it. For a phone with script off, the address also carries a
    ticket: a random key (its SHA-256 kept here, not the key) that is no query code and stops working
    once used, an hour after it was first opened, or TICKET_DAYS after it was made. What an access log
    records of it is spent or about to expire (portal.views.qr)."""

    token_hash = models.CharField("二维码令牌摘要", max_length=64, unique=True)
    petition = models.ForeignKey(Petition, verbose_name="信访事项", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True, db_index=True)
    opened_at = models.DateTimeField("首次打开时间", null=True, blank=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "查询二维码令牌"

"""The organisation: the three-level agency network, departments, agents and staff accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import translation
from django.utils.crypto import salted_hmac

from daiban.accounts import lifecycle
from daiban.accounts.usernames import normalize_username
from daiban.org import roles


class Station(models.Model):
    """A node of the agency network: the banner center, a service room or station, a village point."""

    class Level(models.TextChoices):
        CENTER = "center", "旗信访代办服务中心"
        STATION = "station", "代办服务站（室）"
        VILLAGE = "village", "嘎查村（社区）代办点"

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_township = models.BooleanField("苏木镇站", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代办服务机构"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    # Which level a station's parent must be (the plan's three levels: 旗中心 → 苏木镇站 → 嘎查村点).
    PARENT_LEVELS = {Level.CENTER: (), Level.STATION: (Level.CENTER,), Level.VILLAGE: (Level.STATION, Level.CENTER)}

    def clean(self) -> None:
        """The network stays a tree of three levels (实施方案 三): the center has no parent, a station
        hangs under the center, a village point under a station (or the center); never under itself or
        one of its own stations below, a loop that would make every petition "below" a township's
        agents (permissions.stations_below). Raises ValidationError naming 上级 or 层级."""
        from django.core.exceptions import ValidationError

        allowed: tuple[str, ...] = self.PARENT_LEVELS.get(Station.Level(self.level), ()) if self.level in Station.Level.values else ()
        if self.level == Station.Level.CENTER and Station.objects.filter(level=Station.Level.CENTER).exclude(pk=self.pk).exists():
            raise ValidationError({"level": "旗信访代办服务中心只有一个"})
        if self.pk is not None and self.level == Station.Level.VILLAGE and Station.objects.filter(parent_id=self.pk).exists():
            raise ValidationError({"level": "嘎查村（社区）代办点之下不能再有代办机构，请先调整其下级机构"})
        if self.parent_id is None:
            if allowed and Station.objects.filter(level=Station.Level.CENTER).exclude(pk=self.pk).exists():
                raise ValidationError({"parent": f"{self.get_level_display()}须有上级代办机构"})
            return
        if not allowed:
            raise ValidationError({"parent": "旗信访代办服务中心没有上级"})
        parent = self.parent
        if parent is None or parent.level not in allowed:
            raise ValidationError({"parent": f"{self.get_level_display()}的上级应为"
                                             + "或".join(str(Station.Level(level).label) for level in allowed)})
        seen: set[int] = set()
        node: Station | None = parent
        while node is not None and node.pk not in seen:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": "上级不能是本机构或其下级机构"})
            seen.add(node.pk)
            node = node.parent
        if self.pk is not None and self.level != Station.Level.VILLAGE:
            below = Station.objects.filter(parent_id=self.pk).exclude(level__in=[
                level for level, parents in self.PARENT_LEVELS.items() if self.level in parents])
            if below.exists():
                raise ValidationError({"level": "本机构的下级机构层级与所选层级不符，请先调整下级机构"})


class Department(models.Model):
    """事权单位: a banner department or a township (苏木镇) with power to resolve a matter."""

    class Kind(models.TextChoices):
        BANNER = "banner", "旗级职能部门"
        TOWNSHIP = "township", "苏木镇"
        BUREAU_UNIT = "unit", "局属股室/事业单位"

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.BANNER)
    phone = models.CharField("电话", max_length=40, blank=True)
    active = models.BooleanField("在用", default=True)
    # 《信访工作条例》: the petitioner's identity must never reach the person or unit complained
    # about. Off for a unit that may be the subject of complaints: its users see name and address
    # masked as well as the ID number and phone, in the API, the pages and its 处置单.
    sees_identity = models.BooleanField(
        "可见信访人身份", default=True,
        help_text="取消勾选后，该单位经办人看到的信访人姓名、住址也做脱敏处理（被反映单位适用）",
    )

    class Meta:
        verbose_name = verbose_name_plural = "事权单位"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StaffUserManager(UserManager):
    def get_by_natural_key(self, username):
        # The stored spelling is normalised (User.normalize_username): look the typed one up the same way.
        return self.get(**{self.model.USERNAME_FIELD: normalize_username(username)})

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """An administrator holds every key of the system: its password meets AUTH_PASSWORD_VALIDATORS
        however it is created. Django's `createsuperuser` offers to bypass them interactively and does
        not check DJANGO_SUPERUSER_PASSWORD at all; both now end in the validators' Chinese messages
        (the command reports a ValidationError as its error). Raises ValidationError; an account without
        a usable password (None) is left to `set_unusable_password` as in Django."""
        if password is not None:
            candidate = self.model(username=normalize_username(username), email=email or "",
                                   **{k: v for k, v in extra_fields.items() if k in {"name"}})
            with translation.override(settings.LANGUAGE_CODE):  # a management command runs without a language
                password_validation.validate_password(password, candidate)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A staff account. One `name` field: Chinese names do not split into first/last usefully.

    Usernames are stored normalised (NFKC, stripped, case-folded) so that every spelling of one
    name is one account and one lockout counter.
    """

    name = models.CharField("姓名", max_length=50, blank=True)
    roles = models.CharField("角色", max_length=200, blank=True, help_text="逗号分隔的角色代码")
    station = models.ForeignKey(
        Station, verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department, verbose_name="所属事权单位", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    is_demo = models.BooleanField("演示账号", default=False, help_text="由演示数据创建；默认无需双因素认证")
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Bumped when the password changes, the account is deactivated or loses a role: part of the
    # session hash, so every other session of the user ends.
    security_stamp = models.PositiveIntegerField("安全戳", default=0, editable=False)

    objects = StaffUserManager()  # type: ignore[misc]  # django-stubs declares it a ClassVar on AbstractUser

    class Meta:
        verbose_name = verbose_name_plural = "工作人员账号"

    def __str__(self) -> str:
        return self.name or self.username

    @classmethod
    def normalize_username(cls, username):
        return normalize_username(username)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_access = lifecycle.loaded_access(instance)
        return instance

    def save(self, *args, **kwargs):
        self.username = normalize_username(self.username)
        plan = lifecycle.before_save(self, kwargs)
        super().save(*args, **kwargs)
        lifecycle.after_save(self, plan)

    def _get_session_auth_hash(self, secret=None):
        # Django's own hash (HMAC of the password hash) plus the security stamp; with stamp 0 it is
        # exactly Django's, so sessions made before this field existed stay valid.
        material = self.password if not self.security_stamp else f"{self.password}|{self.security_stamp}"
        return salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", material,
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def role_set(self) -> frozenset[str]:
        found = {r for r in self.roles.split(",") if r}
        if self.is_superuser:
            found.add(roles.ADMIN)
        return frozenset(found)

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_set.intersection(codes))

    @property
    def display_name(self) -> str:
        return self.name or self.username


class AgentQuerySet(models.QuerySet["Agent"]):
    def in_post(self) -> AgentQuerySet:
        """The agents who may be chosen, designated or shown on the wall: marked 在岗 and, when they
        have an account, its account active (an account deactivated when the person left, the
        代办员 record not yet edited, took petitions nobody could then open)."""
        return self.filter(active=True).exclude(user__is_active=False)


class Agent(models.Model):
    """代办员: the civil servant who takes petitions on the petitioner's behalf, free of charge."""

    class Kind(models.TextChoices):
        FULL_TIME = "full_time", "专职"
        PART_TIME = "part_time", "兼职"

    user = models.OneToOneField(
        User, verbose_name="账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="agent"
    )
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    station = models.ForeignKey(Station, verbose_name="所属机构", on_delete=models.PROTECT, related_name="agents")
    title = models.CharField("职务", max_length=50, blank=True)
    office_phone = models.CharField("办公电话", max_length=40, blank=True)
    specialty = models.CharField("擅长领域", max_length=200, blank=True)
    photo = models.FileField("照片", upload_to="agents/", blank=True, help_text="JPG或PNG，上墙公示用")
    active = models.BooleanField("在岗", default=True)

    objects = AgentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "代办员"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

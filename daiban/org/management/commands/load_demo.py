"""The demo organisation of API.md. Idempotent: run it again and nothing is duplicated."""

import os

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from daiban.org import roles
from daiban.org.models import Agent, Department, Station, User

STATIONS = [
    # code, name, level, parent code, township
    ("center", "乌审旗信访代办服务中心", "center", None, False),
    ("bureau", "乌审旗自然资源局信访代办服务室", "station", "center", False),
    ("galutu", "嘎鲁图镇信访代办服务站", "station", "center", True),
    ("wushenzhao", "乌审召镇信访代办服务站", "station", "center", True),
    ("village-sarlig", "沙尔利格嘎查代办点", "village", "galutu", False),
    ("village-bayan", "巴音敖包嘎查代办点", "village", "wushenzhao", False),
]
DEPARTMENTS = [
    ("乌审旗不动产登记中心", "unit"),
    ("乌审旗林业和草原局", "banner"),
    ("乌审旗住房和城乡建设局", "banner"),
    ("乌审旗农牧局", "banner"),
    ("嘎鲁图镇人民政府", "township"),
    ("乌审召镇人民政府", "township"),
]
AGENT_NAMES = ["王建国", "李春梅", "张海峰", "刘志强", "陈秀英", "杨立新", "赵红霞", "黄志明", "周丽娟",
               "吴永胜", "孙晓燕", "其木格", "巴特尔"]
SPECIALTIES = ["土地管理、征地补偿", "不动产登记", "矿产资源", "林草", "国土空间规划"]


# Names the demo accounts had before they were given people's names.
RENAMED = {"系统管理员", "带班领导"}


class Command(BaseCommand):
    help = "载入演示数据：机构、事权单位、13名代办员和演示账号（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="不打印演示账号")
        parser.add_argument("--accounts", action="store_true", help="只打印演示账号，不修改数据")

    @transaction.atomic
    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or "daiban-demo"
        if options["accounts"]:
            self._print(password, list(Department.objects.filter(active=True).order_by("id")))
            return
        stations = self._stations()
        departments = self._departments()
        bureau = stations["bureau"]
        self._user("admin", "孟凡华", [roles.ADMIN], password, superuser=True)
        # People's names, not their posts: documents sign with them (签批人：刘振华, not 签批人：局长).
        self._user("center", "乌日娜", [roles.CENTER], password, station=stations["center"])
        self._user("duty", "张建国", [roles.DUTY_LEADER], password, station=bureau)
        self._user("leader", "刘振华", [roles.LEADER_IN_CHARGE], password, station=bureau)
        self._user("chief", "白永胜", [roles.PRINCIPAL], password, station=bureau)
        for i, name in enumerate(AGENT_NAMES, start=1):
            station = stations["galutu"] if i == 12 else stations["wushenzhao"] if i == 13 else bureau
            user = self._user(f"agent{i}", name, [roles.AGENT], password, station=station)
            Agent.objects.update_or_create(
                user=user,
                defaults={
                    "name": name, "station": station,
                    "kind": Agent.Kind.FULL_TIME if i <= 5 else Agent.Kind.PART_TIME,
                    "title": "专职代办员" if i <= 5 else "兼职代办员",
                    "office_phone": f"0477-76{i:05d}"[:12],
                    "specialty": SPECIALTIES[(i - 1) % len(SPECIALTIES)],
                },
            )
        for i, department in enumerate(departments, start=1):
            self._user(f"dept{i}", f"{department.name}经办人", [roles.DEPARTMENT], password, department=department)
        if not options["quiet"]:
            self._print(password, departments)

    def _stations(self) -> dict[str, Station]:
        found: dict[str, Station] = {}
        for code, name, level, parent, township in STATIONS:
            found[code], _ = Station.objects.get_or_create(
                code=code,
                defaults={"name": name, "level": level, "parent": found.get(parent) if parent else None, "is_township": township},
            )
        return found

    def _departments(self) -> list[Department]:
        for name, kind in DEPARTMENTS:
            Department.objects.get_or_create(name=name, defaults={"kind": kind})
        return list(Department.objects.filter(active=True).order_by("id"))

    def _user(self, username, name, role_codes, password, *, station=None, department=None, superuser=False) -> User:
        # The demo password is set as a hash, not through set_password: it is the API contract's
        # `daiban-demo` and need not pass the validators a person's new password must pass. A callable
        # default is hashed only when the account is created: PBKDF2 for 24 existing accounts took
        # about 18 s of every `make run`.
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"name": name, "roles": ",".join(role_codes), "station": station, "department": department,
                      "is_staff": superuser, "is_superuser": superuser, "is_demo": True,
                      "password": lambda: make_password(password)},
        )
        if not created and not user.is_demo:
            User.objects.filter(pk=user.pk).update(is_demo=True)
            user.is_demo = True
        if not created and user.name in RENAMED and user.name != name:
            # Demo accounts once named after their role ("带班领导（带班领导）" in the navigation).
            User.objects.filter(pk=user.pk).update(name=name)
            user.name = name
        return user

    def _print(self, password: str, departments: list[Department]) -> None:
        if os.environ.get("DEMO_PASSWORD"):
            # Never print the secret itself; and an account made earlier keeps the password it was made with.
            self.stdout.write("演示账号（密码为首次创建账号时的 $DEMO_PASSWORD；此前已创建的账号保留原密码）：")
        else:
            self.stdout.write(f"演示账号（密码均为 {password}，首次创建账号时设定）：")
        self.stdout.write("  admin    孟凡华，系统管理员（/admin/ 基础数据、工作日历）")
        self.stdout.write("  center   乌日娜，旗信访代办服务中心（复查复核、上报事项）")
        self.stdout.write("  duty     张建国，带班领导    leader  刘振华，分管领导    chief  白永胜，主要领导")
        self.stdout.write("  agent1…agent5 专职代办员，agent6…agent13 兼职代办员")
        for i, department in enumerate(departments, start=1):
            self.stdout.write(f"  dept{i}    {department.name}")

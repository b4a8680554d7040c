"""Generated petitions for the benchmarks: statuses, dates, categories, satisfaction and repeats in
plausible proportions. Run after django.setup(); generation is skipped when the data is there."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from daiban.lib import crypto
from daiban.org.models import Agent, Department, User
from daiban.petitions.models import Disposition, Event, NumberSequence, Petition, Petitioner, PetitionLink
from daiban.petitions.services import _QUERY_ALPHABET

TEXTS = [
    "承包草场被修建公路征用，至今未收到征地补偿款，请求尽快落实补偿。",
    "申请办理宅基地不动产登记已经三个月，登记中心一直说材料不全。",
    "邻居在草场边上私挖砂石，破坏草原植被，请求依法查处非法采砂。",
    "煤矿开采导致地面塌陷，房屋出现裂缝，请求企业赔偿并搬迁安置。",
    "村委会把集体土地出租给外地老板，没有召开村民大会，请求查处。",
    "林地被人砍伐，请求林草部门调查处理。",
]
CATEGORIES = ["土地管理", "征地拆迁补偿", "不动产登记", "矿产资源", "林草", "国土空间规划", "地质灾害", "测绘地理信息", "其他", ""]
RATINGS = ["satisfied"] * 6 + ["fairly_satisfied"] * 2 + ["understanding", "dissatisfied"]
STATUSES = ["received"] * 10 + ["accepted"] * 5 + ["in_progress"] * 25 + ["concluded"] * 5 + \
    ["feedback_given"] * 10 + ["terminated"] * 5 + ["archived"] * 35 + ["answered"] * 5


def generate(total: int) -> None:
    have = Petition.objects.count()
    if have >= total:
        print(f"已有 {have} 件信访事项，沿用")
        return
    print(f"生成 {total - have} 件信访事项……", flush=True)
    rng = random.Random(42)
    agents = list(Agent.objects.all())
    stations = {a.pk: a.station_id for a in agents}
    departments = list(Department.objects.values_list("id", flat=True))
    admin = User.objects.get(username="admin")
    enc_id, enc_phone = crypto.encrypt("15062619700101123X"), crypto.encrypt("13912345678")
    # 100,000 over 1,000 days from 2024; larger sets over the three years before today
    # (300,000 → about 100,000 a year, a busy banner's volume times ten).
    span = 1000 if total <= 100_000 else 3 * 365
    start = datetime.date(2024, 1, 1) if total <= 100_000 else datetime.date.today() - datetime.timedelta(days=span)
    batch = 5000
    seq = NumberSequence.objects.get_or_create(prefix="BN", year=2025)[0]
    n = have
    while n < total:
        size = min(batch, total - n)
        with transaction.atomic():
            people = [
                Petitioner(name=f"信访人{n + i}", id_number_enc=enc_id, id_hash=f"bench{n + i:012d}",
                           phone_enc=enc_phone, phone_hash=f"p{n + i}", address="嘎鲁图镇")
                for i in range(size)
            ]
            Petitioner.objects.bulk_create(people)
            people = list(Petitioner.objects.filter(id_hash__startswith="bench").order_by("-id")[:size])
            petitions = []
            for i, person in enumerate(people):
                status = rng.choice(STATUSES)
                agent = rng.choice(agents)
                received = start + datetime.timedelta(days=rng.randrange(0, span))
                running = status in ("in_progress",)
                agency = status not in ("received", "answered")
                concluded = status in ("concluded", "feedback_given", "terminated", "archived")
                petitions.append(Petition(
                    number=f"BN-2025-{n + i + 1:07d}",
                    query_code="".join(rng.choice(_QUERY_ALPHABET) for _ in range(10)),
                    channel=rng.choice(["letter", "visit", "online", "phone"]),
                    source=rng.choice(["self", "center", "village", "hotline_12345"]),
                    received_on=received, petitioner=person, content=rng.choice(TEXTS),
                    station_id=stations[agent.pk], status=status,
                    agent=agent if agency else None,
                    accepted_on=received if agency else None,
                    category=rng.choice(CATEGORIES),
                    concluded_on=received + datetime.timedelta(days=rng.randrange(5, 40)) if concluded else None,
                    satisfaction=rng.choice(RATINGS) if status in ("feedback_given", "terminated", "archived") else "",
                    track="standard" if running else "",
                    due_on=received + datetime.timedelta(days=21) if running or concluded else None,
                    last_event_on=received, created_by=admin,
                ))
            Petition.objects.bulk_create(petitions)
            created = list(Petition.objects.order_by("-id")[:size])
            events, dispositions = [], []
            for p in created:
                events.append(Event(petition=p, on=p.received_on, actor=admin, actor_name="系统", action="intake",
                                    to_status="received"))
                if p.status != "received":
                    events.append(Event(petition=p, on=p.received_on, actor=admin, actor_name="系统",
                                        action="screen", from_status="received", to_status=p.status))
                if p.status == "in_progress":
                    dispositions.append(Disposition(petition=p, department_id=rng.choice(departments), station_id=p.station_id,
                                                    number=f"{p.number}-01", routed_on=p.received_on,
                                                    due_on=p.due_on))
            Event.objects.bulk_create(events)
            Disposition.objects.bulk_create(dispositions)
            # About one petition in twenty repeats an earlier one (重复信访).
            PetitionLink.objects.bulk_create(
                [PetitionLink(petition=p, related_id=p.pk - rng.randrange(1, 5000), score=0.6)
                 for p in created if rng.random() < 0.05 and p.pk > 5000], ignore_conflicts=True)
        n += size
        print(f"  {n}", flush=True)
    seq.last = n
    seq.save()



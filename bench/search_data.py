"""Bulk-generated petitions with realistic Chinese text, names, ID numbers and phones, for the search
and similarity figures (bench/search.py).

`generate(total)` only writes petitions and petitioners (bulk_create, no API, no indexes); the bench
builds the finding tables afterwards with indexing.rebuild(), so any other generator that writes
petitions (BENCH_SEARCH_GENERATOR=module:function) can replace this one.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from daiban.lib import crypto
from daiban.org.models import Agent, User
from daiban.petitions.models import Petition, Petitioner
from daiban.petitions.services import _QUERY_ALPHABET

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
            "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = "建国桂兰秀英海军春梅志强丽娟德胜玉珍永福金花文明红霞宝山凤英树林淑芬国庆小龙学军美玲振华翠萍"
MONGOLIAN = ("巴特尔", "其木格", "乌云", "斯琴", "额尔敦", "苏和", "那日苏", "萨仁", "图雅", "朝鲁", "宝音", "阿拉坦",
             "乌兰", "格日勒", "布和", "孟和", "达来", "敖登", "塔娜", "吉日木图")
TOWNS = {
    "嘎鲁图镇": ("沙尔利格嘎查", "萨如拉嘎查", "巴音温都尔嘎查", "海流图社区"),
    "乌审召镇": ("巴音敖包嘎查", "查汗庙嘎查", "布寨嘎查", "察汗淖尔嘎查", "乌审召嘎查"),
    "图克镇": ("图克嘎查", "呼吉尔特嘎查", "梅林庙嘎查", "葫芦素嘎查", "乌兰什巴台嘎查"),
    "无定河镇": ("巴图湾村", "排子湾村", "大沟湾村", "王家湾村", "河南村"),
    "苏力德苏木": ("沙沙滩嘎查", "陶尔庙嘎查", "查干朝鲁嘎查"),
    "乌兰陶勒盖镇": ("巴音高勒嘎查", "乌兰陶勒盖嘎查", "达布察克嘎查"),
}
PROJECTS = ("一级公路", "旅游公路", "浩吉铁路", "光伏电站", "风电场", "输气管道", "变电站", "工业园区", "物流园区",
            "天然气处理厂", "防洪堤坝", "高标准农田", "通村水泥路", "输电线路")
MINES = ("葫芦素煤矿", "门克庆煤矿", "巴彦高勒煤矿", "母杜柴登煤矿", "纳林河二号井", "呼吉尔特煤矿")
OPENERS = ("我家", "本人", "我们", "来电人反映：", "信访人反映：", "【百姓管家】群众留言：", "【乌审解纷】", "牧民反映：", "")
TEMPLATES = (
    "{opener}位于{town}{village}的承包草场{area}亩，{year}年被{project}项目征用，至今未收到征地补偿款，{close}",
    "{opener}在{village}的{area}亩耕地被{project}建设占用，补偿标准每亩只有{price}元，远低于周边项目，{close}",
    "{opener}{town}{village}因{mine}井下开采造成地面塌陷，房屋墙体开裂，{close}",
    "{mine}采煤沉陷区治理工程在{village}推平草场后种的草没有成活，{close}",
    "{village}附近的采砂场长期违法开采，河道被挖出大坑，河岸塌了好几处，{close}",
    "{opener}申请办理宅基地不动产登记已经{months}个月，{town}不动产登记中心一直说材料不全，{close}",
    "{village}邻居翻建房屋时占用{opener}宅基地约{meters}米宽，嘎查调解不成，{close}",
    "{village}在第二轮草牧场承包时没有给{opener}分草场，户口一直在嘎查，{close}",
    "{village}有人在集体林地里砍伐杨树{trees}棵，拉走卖钱，{close}",
    "{town}新建的商住楼离住宅楼不到{meters}米，严重遮挡采光，认为违反规划，{close}",
    "{village}房后的土崖出现裂缝，随时可能塌方，{close}",
    "{opener}在{town}购买的商品房已交房{years}年，开发商一直不给办不动产权证书，{close}",
    "{village}有人在基本农田上违法建设养殖场，占地约{area}亩，{close}",
    "{project}租用{opener}在{village}的草场{area}亩，租金{years}年没给，{close}",
    "{village}的集体土地被征收后，征地补偿款按户平分，出嫁女没有分到，{close}",
    "{opener}在{village}的承包草场在三调中被错误认定为未利用地，无法享受草原生态补奖，{close}",
)
CLOSES = ("请求有关部门尽快落实补偿。", "请求依法查处。", "要求尽快办理。", "请求重新确权划界。", "希望尽快解决。",
          "要求煤矿赔偿并搬迁安置。", "请求恢复原状并赔偿损失。", "请求公开规划并听取群众意见。", "请相关部门核实处理。",
          "要求按同等标准补足差额。")
STATUSES = ["received"] * 10 + ["accepted"] * 5 + ["in_progress"] * 25 + ["concluded"] * 5 + \
    ["feedback_given"] * 10 + ["terminated"] * 5 + ["archived"] * 35 + ["answered"] * 5
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(serial: int) -> str:
    """A valid ID number of 乌审旗 (150626), unique for serials below 36,500,000."""
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=serial % 25000)
    first17 = f"150626{born:%Y%m%d}{serial // 25000 % 1000:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def phone(serial: int) -> str:
    return f"13{serial % 10}{serial:08d}"[:11]


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(MONGOLIAN)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def complaint(rng: random.Random) -> str:
    town = rng.choice(list(TOWNS))
    return rng.choice(TEMPLATES).format(
        opener=rng.choice(OPENERS), town=town, village=rng.choice(TOWNS[town]), area=rng.choice((5, 12, 20, 35, 80, 120, 300, 1200)),
        year=rng.randrange(2012, 2026), project=rng.choice(PROJECTS), price=rng.choice((8000, 12000, 15000, 20000)),
        mine=rng.choice(MINES), months=rng.randrange(2, 13), meters=rng.randrange(1, 20), trees=rng.randrange(5, 60),
        years=rng.randrange(2, 8), close=rng.choice(CLOSES),
    )


def generate(total: int, *, prefix: str = "SR", seed: int = 42) -> None:
    """`total` petitions of about 0.7·total petitioners (some petition several times), over three
    years, in batches of 5,000. Skipped when the database already holds as many."""
    have = Petition.objects.count()
    if have >= total:
        print(f"已有 {have} 件信访事项，沿用", flush=True)
        return
    rng = random.Random(seed + have)
    agents = list(Agent.objects.select_related("station"))
    admin = User.objects.get(username="admin")
    start = datetime.date.today() - datetime.timedelta(days=3 * 365)
    people_made = Petitioner.objects.count()
    n = have
    while n < total:
        size = min(5000, total - n)
        with transaction.atomic():
            new_people = [
                Petitioner(name=person_name(rng), id_number_enc=crypto.encrypt(id_number(people_made + i)),
                           id_hash=crypto.lookup_hash(id_number(people_made + i)),
                           phone_enc=crypto.encrypt(phone(people_made + i)), phone_hash=crypto.lookup_hash(phone(people_made + i)),
                           address=rng.choice(list(TOWNS)))
                for i in range(int(size * 0.7))
            ]
            Petitioner.objects.bulk_create(new_people)
            people_made += len(new_people)
            pool = list(Petitioner.objects.order_by("-id").values_list("id", flat=True)[: len(new_people)])
            petitions = []
            for i in range(size):
                status = rng.choice(STATUSES)
                agent = rng.choice(agents)
                received = start + datetime.timedelta(days=rng.randrange(0, 3 * 365))
                agency = status not in ("received", "answered")
                petitions.append(Petition(
                    number=f"{prefix}-{received.year}-{n + i + 1:07d}",
                    query_code="".join(rng.choice(_QUERY_ALPHABET) for _ in range(10)),
                    channel=rng.choice(["letter", "visit", "online", "phone"]),
                    source=rng.choice(["self", "center", "village", "hotline_12345", "platform_baixing"]),
                    received_on=received, petitioner_id=rng.choice(pool), content=complaint(rng),
                    station_id=agent.station_id, status=status, agent=agent if agency else None,
                    accepted_on=received if agency else None, last_event_on=received, created_by=admin,
                ))
            Petition.objects.bulk_create(petitions)
        n += size
        print(f"  {n}", flush=True)

"""Same matter or not: real-looking complaints of one petitioner."""

import pytest
from django.conf import settings

from daiban.petitions.similarity import similarity

THRESHOLD = settings.DAIBAN_SAME_MATTER_THRESHOLD

SAME = [
    (
        "我家位于嘎鲁图镇沙尔利格嘎查的承包草场约300亩，2025年被修建公路征用，至今未收到征地补偿款，请求有关部门尽快落实补偿。",
        "本人在嘎鲁图镇沙尔利格嘎查有300亩承包草场，去年修公路时被征用了，到现在征地补偿款一分也没拿到，希望尽快给予补偿。",
    ),
    (
        "我家位于嘎鲁图镇沙尔利格嘎查的承包草场约300亩，2025年被修建公路征用，至今未收到征地补偿款，请求有关部门尽快落实补偿。",
        "沙尔利格嘎查草场被公路征用，征地补偿款未发放。",
    ),
    (
        "乌审召镇巴音敖包嘎查牧民反映，矿山企业开采导致地面塌陷，房屋出现裂缝，请求企业赔偿并搬迁安置。",
        "巴音敖包嘎查因为煤矿开采地面塌陷，我家房子裂缝严重，要求煤矿赔偿损失，给我们搬迁安置。",
    ),
    (
        "我申请办理宅基地不动产登记已经三个月，登记中心一直说材料不全，要求尽快给我办理不动产权证书。",
        "宅基地的不动产权证书申请了三个月还没办下来，登记中心总说缺材料，请帮忙催一下。",
    ),
]

DIFFERENT = [
    (
        "我家位于嘎鲁图镇沙尔利格嘎查的承包草场约300亩，2025年被修建公路征用，至今未收到征地补偿款，请求有关部门尽快落实补偿。",
        "嘎鲁图镇沙尔利格嘎查村委会把集体土地出租给外地老板开矿，没有召开村民大会，请求查处。",
    ),
    (
        "乌审召镇巴音敖包嘎查牧民反映，矿山企业开采导致地面塌陷，房屋出现裂缝，请求企业赔偿并搬迁安置。",
        "巴音敖包嘎查的林地被人砍伐，请林草局查处。",
    ),
    (
        "我申请办理宅基地不动产登记已经三个月，登记中心一直说材料不全，要求尽快给我办理不动产权证书。",
        "我家宅基地被邻居占用了两米，村里调解不成，请求重新确权划界。",
    ),
    (
        "我家位于嘎鲁图镇沙尔利格嘎查的承包草场约300亩，2025年被修建公路征用，至今未收到征地补偿款，请求有关部门尽快落实补偿。",
        "我申请办理宅基地不动产登记已经三个月，登记中心一直说材料不全，要求尽快给我办理不动产权证书。",
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_paraphrase_is_the_same_matter(a, b):
    assert similarity(a, b) >= THRESHOLD
    assert similarity(b, a) == similarity(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_another_complaint_of_the_same_person_is_not(a, b):
    assert similarity(a, b) < THRESHOLD


# Minimal pairs: one person's two complaints told in the same words, one fact apart — the year, the
# plot or its number, the project, the land or building, the amount (issue 14's hard negatives at
# their hardest: a text overlap alone scores them 0.8–0.99). Each has a retelling that must still be
# found. Written for this test, not part of the corpus the method was fitted on.
ONE_FACT_APART = [
    ("2019年村东头3号地块征地补偿款未发放", "2022年村西5号地块征地补偿款未发放",
     "村东3号地那块地2019年征的，补偿款到现在还没发"),
    ("光伏项目占用我家草场未补偿", "输电线路项目占用我家草场未补偿", "光伏电站把我家的草场占了，一分补偿都没给"),
    ("2018年的草原补奖资金没有发放", "2023年的草原补奖资金没有发放", "草原生态补奖2018年那一年的钱没给我发"),
    ("东边那块10亩承包地被村委会收回了，要求归还", "西边那块5亩承包地被村委会收回了，要求归还",
     "村委会把我东边十亩承包地收走了，请求还给我"),
    ("2019年的退耕还林补助没有发放", "2019年的草原补奖没有发放", "退耕还林的补助，2019年那年的一直没给发"),
    ("我家宅基地被邻居占了2米，要求恢复", "我家耕地被邻居占了2米，要求恢复", "邻居家把我家宅基地占去两米，请求恢复原状"),
    ("村里修路占了我家3亩耕地，没给补偿", "村里修路占了我家8亩耕地，没给补偿", "修村路占用了我家三亩耕地，补偿款一直没给"),
    ("煤矿采煤导致我家住房开裂，要求赔偿", "煤矿采煤导致我家棚圈开裂，要求赔偿",
     "因为煤矿井下开采，我家房子墙体裂缝，请求煤矿赔偿损失"),
    ("2021年办理的不动产权证书面积登记错误，要求更正", "2024年办理的不动产权证书面积登记错误，要求更正",
     "2021年办的房本面积登错了，请给改过来"),
    ("3组的集体草场被外村人占用放牧，请求制止", "5组的集体草场被外村人占用放牧，请求制止",
     "外村的人把我们3组集体的草场占了放牲口，请你们管一管"),
]


# Follow-ups: the first matter was handled and the same person now asks for what followed, in the
# first matter's words (issue 14: 地类已经改正了，但补奖没补发). Each with a retelling of the first that
# must still be found.
FOLLOW_UPS = [
    ("三调把我家草场认定成了未利用地，请求更正地类", "我家草场的地类已经更正了，但是这几年少发的草原补奖还没补发",
     "第三次国土调查把俺家草场弄成未利用地了，你们搞错了，赶紧改过来"),
    ("煤矿占用我家草场20亩没给补偿，要求补偿", "煤矿占地的补偿款已经拿到了，可是草场被压坏了一直没恢复，要求恢复植被",
     "那个煤矿把我家二十亩草场占了，一分钱补偿都没给，请求落实补偿"),
    ("村东砖厂非法取土，没有任何手续，请求查处", "村东砖厂去年已经被关停了，但是挖出的大坑一直没回填，请求复垦",
     "村子东边那个砖厂乱挖土，啥手续都没有，你们来查一查"),
    ("我买的商品房办不了不动产权证书，请求尽快登记", "商品房的证已经办下来了，但面积登记少了8平方米，请求更正",
     "来电人称其购买的商品房迟迟无法办理不动产登记，希望尽快办证"),
]


@pytest.mark.parametrize(("first", "other", "retold"), ONE_FACT_APART + FOLLOW_UPS)
def test_another_matter_stays_apart_and_a_retelling_is_found(first, other, retold):
    """One fact apart or a follow-up: another matter, from the first and from its retelling."""
    assert similarity(first, other) < THRESHOLD
    assert similarity(retold, other) < THRESHOLD
    assert similarity(first, retold) >= THRESHOLD


@pytest.mark.parametrize(("text", "done", "demands"), [
    ("地类已经改正了，但补奖没补发", {"更正"}, {"补发", "补助"}),
    ("补偿款拿到了，现在要求恢复草场", {"补偿"}, {"恢复"}),
    ("证已经办下来了，可是面积登记错了", {"登记"}, {"登记", "更正"}),
    # Not done: someone else's, a reported claim, an attempt, partial, negated, a request, no turn.
    ("别人家的补偿都发了，但我家没有", set(), {"补偿"}),
    ("村里说补偿款已经发了，但我一分没拿到", set(), {"补偿"}),
    ("我已经申请更正了，但一直没改", set(), {"更正"}),
    ("只分到了两个人的草场，还差三口人的", set(), {"分配"}),
    ("地类一直没改正过来，补奖也领不上", set(), {"更正", "补助"}),
    ("要求把草场恢复了，另外赔偿损失", set(), {"恢复", "补偿"}),
    ("已经违法占地三年了，但没人管", set(), {"查处"}),
    ("补偿款已经发了。", set(), {"补偿"}),  # nothing turns to what is not done
    # Should, will, would have, asked, the opposite, again, only in part, to someone else.
    ("三年了，也该补偿了，可是一直拖着不给", set(), {"补偿"}),
    ("马上就拆除了，可是一拖再拖", set(), {"查处"}),
    ("快要登记了，但开发商跑了", set(), {"登记"}),
    ("要是早登记了，现在也不会出事", set(), {"登记"}),
    ("宅基地证办下来了吗？可村里说还没批", set(), {"审批"}),
    ("别再拆除了，可是执法队又来了", set(), {"查处"}),
    ("砂场已经被取缔了，可现在晚上又偷偷开工了，要求取缔", set(), {"查处"}),
    ("补偿款已经发了，但只发了三十户，我们二组的没发", set(), {"补偿"}),
    ("补偿款给了，但给的是别人的，我家的没给", set(), {"补偿"}),
    ("补偿款已经批下来了，但一分钱都没到我手上", set(), {"补偿", "审批"}),  # granted is not paid
    ("已经搬迁了的户拿到补偿了，可是我家还没搬迁", set(), {"搬迁", "补偿"}),
    # Done, told in other ways.
    ("补偿款上个月到账了，现在就是草场还没恢复", {"补偿"}, {"恢复"}),
    ("不动产权证书拿到手了，可面积登错了", {"登记"}, {"更正"}),
    ("违建终于拆了，但是垃圾没人清理", {"查处"}, {"恢复"}),
    ("登记已办结，但是四至写错了", {"登记"}, {"更正", "确权"}),
    ("承包费去年付清了，但今年的没付", {"租金"}, set()),
])
def test_what_is_stated_as_done(text, done, demands):
    found = features(text).facts
    assert {f[2:] for f in found if f.startswith("已:")} == done
    assert {f[2:] for f in found if f.startswith("诉:")} == demands


# Retellings in the petitioner's own words, sharing few words with the record (issue 14: 水井弄干了
# for 机井抽不上水). Written for this test.
COLLOQUIAL = [
    ("因煤矿井下开采，我家机井出水量越来越小，基本抽不上水了，请求煤矿重新打井",
     "煤矿挖煤把俺家水井弄干了，让煤矿给打眼新井"),
    ("我家房后黄土崖出现裂缝，随时可能坍塌，请求地质灾害评估并搬迁避险",
     "房后头那个土崖裂口子越来越大，怕塌下来，要求来看看，把我们搬走"),
    ("光伏电站施工占用我家草场，没有任何补偿，请求落实补偿",
     "那些太阳能板把俺家草场给占了，一分钱没给，你们管管"),
    ("有人在村北林地里盗伐樟子松，请求查处", "村子北边林子里有人偷砍樟子松，快来查查"),
]


@pytest.mark.parametrize(("record", "retold"), COLLOQUIAL)
def test_a_colloquial_retelling_is_the_same_matter(record, retold):
    assert similarity(record, retold) >= THRESHOLD


def test_another_side_of_the_village_is_another_plot():
    """Which side of the village a plot lies on names it, as its number does; a boundary's side does not."""
    assert similarity("村北面山上有人私自采石，请求查处", "村南边河滩上有人私自采砂，请求查处") < THRESHOLD
    assert "位:北" not in features("草场证上北边的界写错了").facts


@pytest.mark.parametrize(("raw", "expected"), [
    ("一百零五亩", "105亩"), ("三万零八元", "30008元"), ("一千零一十亩", "1010亩"), ("两万零五百元", "20500元"),
    ("2万3千元", "23000元"), ("3千5百元", "3500元"), ("五十多万元", "500000多元"),
])
def test_numerals_with_zero_and_mixed_magnitudes(raw, expected):
    assert textnorm.numerals_to_digits(raw) == expected


@pytest.mark.parametrize("text", [
    "1万" * 10_000, "7" * 20_000, "一亿" * 540, "一" + "万" * 1100, "9" * 310 + "多亩", "1" * 4301 + "号",
    "已经更正了，但" * 3000, "9" * 20_000 + "亩", "\x00\x01" * 1000, "😀" * 5000,
])
def test_hostile_text_is_read_quickly_and_never_raises(text):
    """Public intake takes up to 10,000 characters; the API schema 20,000. A run of digits is read
    from where it starts only (no quadratic backtracking) and nothing that long is an amount."""
    import time

    features("采砂场违法开采")  # jieba loads its dictionary on first use (a second or more on a busy machine)
    start = time.perf_counter()
    features(text)
    assert time.perf_counter() - start < 2.0  # generous: about 0.1 s here; quadratic was 30 s and more


@pytest.mark.parametrize(("raw", "kept"), [
    ("一直没发现有人偷采", "没发现"), ("大量地占用草场", "大量"), ("占地2平方公里", "平方公里"), ("村委会盖了章", "盖章"),
    ("太阳能热水器被砸坏了", "太阳能热水器"), ("维修路灯", "修路灯"), ("高标准农田建设占了我家耕地", "高标准农田"),
    ("这块地是我家的没错了", "没错"),
])
def test_a_synonym_does_not_rewrite_a_longer_word(raw, kept):
    assert kept in textnorm.normalize(raw)


def test_a_difference_of_amounts_is_not_an_amount():
    """"少了70平方米" says how far two amounts are apart; it contradicts neither of them."""
    assert facts(textnorm.normalize("面积登记少了七十平米")) == facts(textnorm.normalize("面积登记"))
    assert similarity("宅基地面积登记成了180平方米，实际审批是250平方米，请求更正",
                      "宅基地面积登记少了七十平米，申请更正") >= THRESHOLD


def test_identical_text_scores_one_and_empty_scores_zero():
    assert similarity(SAME[0][0], SAME[0][0]) == 1.0
    assert similarity("", SAME[0][0]) == 0.0
    assert similarity("，。！", SAME[0][0]) == 0.0


# --- the labelled corpus (tests/data/same_matter.jsonl) ---------------------------------------------

from daiban.petitions import textnorm  # noqa: E402
from daiban.petitions.similarity import facts, features  # noqa: E402
from tests.data import corpus  # noqa: E402

# The held-out figures measured when the method and threshold were chosen on the tuning part
# (README, `make bench`). A change that lowers them fails here. (Set again when the short retellings'
# synonyms came in: recall 0.726 → 0.726, F1 0.828 → 0.827, false alarms 2.6 % → 2.9 %, a pair or
# two, while the short retellings of the 12345 operator rose from 0.70 to 0.72 held-out.)
HELD_OUT_FLOOR = {"recall": 0.723, "f1": 0.825, "false_alarms": 0.03}
# The short retellings (tests/data/short_retellings.jsonl), the issue's own kind of example: recall
# of the 12345 operator's and the petitioner's, and false alarms among hard negatives, per part.
SHORT_FLOOR = {
    "tune": {"hotline": 0.87, "petitioner": 0.47, "false_alarms": 0.155},  # 0.15 before 偏低/提高: one pair
    "held_out": {"hotline": 0.63, "petitioner": 0.27, "false_alarms": 0.06},
}


def test_corpus_has_enough_pairs_and_a_fixed_split():
    pairs = corpus.pairs()
    assert len(pairs) >= 300
    assert {p.split for p in pairs} == {"tune", "held_out"}
    by_matter = {}
    for p in pairs:
        by_matter.setdefault(p.matter, set()).add(p.split)
    assert all(len(splits) == 1 for splits in by_matter.values())  # a matter is never on both sides
    voices = {p.how for p in pairs if p.same}
    assert {"petitioner", "agent", "hotline", "platform"} <= voices
    assert {"plot", "project", "year", "demand"} <= {p.how for p in pairs if not p.same}


def test_threshold_is_the_one_chosen_on_the_tuning_part():
    """On out-of-fold scores of the tuning part (4 folds by matter), not on the fitted model's own."""
    tuned, fig = corpus.cross_validate(corpus.signal_rows("tune"))
    assert abs(tuned - THRESHOLD) <= 0.01
    assert fig.false_alarms <= 0.03


def test_coefficients_are_the_ones_fitted_on_the_tuning_part():
    """similarity.COEFFICIENTS is `python -m tests.data.corpus fit` on today's features and corpus."""
    from daiban.petitions.similarity import COEFFICIENTS, SIGNALS

    fitted = corpus.fit_coefficients(corpus.signal_rows("tune"))
    assert set(COEFFICIENTS) == {*SIGNALS, "bias"}
    assert all(abs(fitted[k] - COEFFICIENTS[k]) <= 0.01 for k in fitted), fitted


def test_held_out_figures_do_not_fall():
    fig = corpus.figures(corpus.scored("held_out"), THRESHOLD)
    assert fig.recall >= HELD_OUT_FLOOR["recall"], fig
    assert fig.f1 >= HELD_OUT_FLOOR["f1"], fig
    assert fig.false_alarms <= HELD_OUT_FLOOR["false_alarms"], fig


@pytest.mark.parametrize("split", ["tune", "held_out"])
def test_short_retellings_are_found_and_another_complaint_never_is(split):
    """The issue's kind: a short complaint retold by the 12345 operator or the petitioner is found; a
    different complaint of the same person is never taken for it; hard negatives stay within their
    ceiling."""
    results = corpus.scored(split, path=corpus.SHORT)
    by_how = corpus.by_how(results, THRESHOLD)
    floor = SHORT_FLOOR[split]
    assert by_how["异:matter"][1] == 0.0
    assert by_how["同:hotline"][1] >= floor["hotline"], by_how
    assert by_how["同:petitioner"][1] >= floor["petitioner"], by_how
    assert corpus.figures(corpus.hard(results), THRESHOLD).false_alarms <= floor["false_alarms"], by_how


def test_another_plot_or_company_named_as_such_is_another_matter():
    """"我家另一块草场", "另一家砂石公司": the text says it is about something else than the first."""
    first = "葫芦素我家草场上出现了大片塌陷坑，请求治理"
    assert similarity(first, "葫芦素那边我家草场上出了好多塌陷坑，赶紧治一治") >= THRESHOLD
    assert similarity(first, "葫芦素那边我家另一块草场也出现了塌陷坑，请求治理") < THRESHOLD
    assert similarity("某砂石公司采砂许可证已过期，仍在河道继续开采",
                      "另一家砂石公司超出许可范围，越界到下游采砂") < THRESHOLD


def test_another_kind_of_livestock_is_another_matter():
    first = "采砂后河道留下深坑，淹死我家两只羊，请求赔偿"
    assert similarity(first, "河里采砂挖的深坑把俺家两只羊淹死了，得给赔") >= THRESHOLD
    assert similarity(first, "采砂后河道留下深坑，淹死我家一头牛，请求赔偿") < THRESHOLD
    assert similarity("羊圈被洪水冲毁，请求补偿", "牛棚被洪水冲毁，请求补偿") >= THRESHOLD  # both 棚圈: no kind


@pytest.mark.parametrize(("record", "retold"), [
    ("村后黄土坡出现裂缝，雨季有滑坡危险，请求治理", "来电人说村子后头那个土坡裂开口子了，怕下大雨塌下来，请派人来看"),
    ("无定河巴图湾段有人夜间偷采河沙，河堤被挖塌", "来电人说巴图湾那一段河晚上老有人偷着拉沙子，河岸都给挖塌了，希望赶紧去查"),
    ("村庄规划把我家承包地划为建设用地，事前未征求意见", "来电人说村里做规划把他家承包的地划成建设用地了，事先谁也没问过他"),
])
def test_everyday_words_of_a_12345_record(record, retold):
    assert similarity(record, retold) >= THRESHOLD


def test_the_issue_example_is_the_same_matter():
    stats = corpus.stats()
    assert similarity("采砂场长期违法开采、河道被挖出大坑", "那个采砂场一直在违法采砂、把河道挖出很多大坑", stats) >= THRESHOLD


@pytest.mark.parametrize(("raw", "expected"), [
    ("三百亩", "300亩"), ("二〇二五年", "2025年"), ("一千二百亩", "1200亩"), ("每亩一万二", "每亩12000"),
    ("1.2万元", "12000元"), ("六亩半", "6.5亩"), ("二十八亩", "28亩"), ("十五米", "15米"), ("一直没有", "一直没有"),
    ("三到位一处理", "三到位一处理"), ("１２３", "123"),
])
def test_numerals_are_normalised(raw, expected):
    assert textnorm.numerals_to_digits(textnorm.unicodedata.normalize("NFKC", raw)) == expected


def test_place_names_with_or_without_suffix_and_boilerplate():
    assert textnorm.normalize("嘎鲁图镇沙尔利格嘎查") == textnorm.normalize("嘎鲁图沙尔利格")
    assert textnorm.normalize("【百姓管家】来电人反映：请相关部门核实处理。") == ""
    assert textnorm.normalize("房本") == textnorm.normalize("不动产权证书")


def test_contradicting_facts_lower_the_score():
    a = features("沙尔利格嘎查草场300亩2025年被公路征用，补偿款未发。")
    b = features("沙尔利格嘎查草场20亩2019年被输气管道占用，补偿款未发。")
    assert {"年:2025", "项目:公路"} <= a.facts and {"年:2019", "项目:管道"} <= b.facts
    assert similarity(a, b) < similarity(a, features("沙尔利格嘎查三百亩草场去年修公路时被征用，补偿一分没给。"))
    assert "亩:20:30" in facts(textnorm.normalize("二十多亩"))


def test_intake_links_a_retelling_using_stored_frequencies(api, new_petition):
    from daiban.petitions.index_models import PetitionFeatures, TermCount
    from tests.factories import id_number

    person = {"id_number": id_number(serial=501)}
    first = new_petition(petitioner=person, content="无定河镇排子湾村附近的采砂场长期违法开采，河道被挖出大坑，请求依法查处。")
    assert PetitionFeatures.objects.filter(petition_id=first["id"]).exists()
    assert TermCount.objects.get(term="").petitions == 1
    second = new_petition(petitioner=person, content="那个采砂场一直在违法采砂，把河道挖出很多大坑，你们管一管。")
    assert [r["number"] for r in second["related"]] == [first["number"]]
    third = new_petition(petitioner=person, content="我申请办理宅基地不动产登记已经三个月，登记中心一直说材料不全。")
    assert third["related"] == []


def test_shipped_background_frequencies_are_current():
    """daiban/petitions/data/background_df.json is the corpus cut by today's features; rebuild it with
    `python -m daiban.petitions.similarity tests/data/same_matter.jsonl` after changing them."""
    import json

    from daiban.petitions.similarity import BACKGROUND, build_background

    texts = [t for m in corpus.matters() for t in (m["text"], *(x["text"] for x in m["same"] + m["other"]))]
    assert json.loads(BACKGROUND.read_text(encoding="utf-8")) == build_background(texts)


@pytest.mark.parametrize(("raw", "expected"), [
    ("俺19年就交了材料", "俺2019年就交了材料"), ("一九年三月", "2019年3月"), ("从23年停发了", "从2023年停发了"),
    ("来电人反映23年的补奖", "来电人反映2023年的补奖"), ("21年在河里挖", "2021年在河里挖"), ("截至20年底", "截至2020年底"),
    # durations and other numbers stay
    ("分家都20年了", "分家都20年了"), ("期限30年，", "期限30年,"), ("这是20年的老宅", "这是20年的老宅"),
    ("在20年内", "在20年内"), ("住了19年的老宅", "住了19年的老宅"), ("119年", "119年"), ("50年代", "50年代"),
    ("来电人称21年挖砂", "来电人称2021年挖砂"),
    # a comparison, a year after 2029, an age in years or a decade: durations (a review found these read as years)
    ("缴费不到15年", "缴费不到15年"), ("工龄达到30年", "工龄达到30年"), ("大于15年的", "大于15年的"),
    ("我30年的工龄", "我30年的工龄"), ("俺40年的老宅", "俺40年的老宅"), (",20年的老宅", ",20年的老宅"),
    ("在30年代", "在30年代"), ("在20年代", "在20年代"),
])
def test_a_year_of_two_digits_is_read_where_the_words_say_it_is_a_year(raw, expected):
    assert textnorm.two_digit_years(textnorm.numerals_to_digits(textnorm.unicodedata.normalize("NFKC", raw))) == expected


def test_a_year_of_two_digits_names_the_matter_as_a_full_one_does():
    """'19年' is 2019: another year (2021) is another matter; 2019 written in full is the same one."""
    first = "俺19年修路的时候占了俺家草场，补偿到现在没给"
    assert similarity(first, "2019年修路占用我家草场，征地补偿一直未发放") >= THRESHOLD
    assert similarity(first, "2021年修路占用我家草场，征地补偿一直未发放") < THRESHOLD


def test_the_score_shown_before_saving_is_the_score_stored_and_offered_after(api, org):
    """The intake check scores the content against the petitioner's earlier petitions; saving links
    those at the threshold with a score, and the case page offers the possible ones with theirs. All
    three are the same number: the petition's own text is not yet in the document frequencies the
    check used, so it is left out of them when saving and on the case page too."""
    from daiban.org.models import User
    from daiban.petitions.eligibility import earlier_scored
    from daiban.petitions.intake import intake_check
    from daiban.petitions.models import Petition, PetitionLink
    from tests.factories import id_number, petition_body

    person = {"id_number": id_number(serial=77)}
    first = api("agent1").post("/petitions", petition_body(petitioner=person, content=(
        "我家在嘎鲁图镇沙尔利格嘎查的300亩承包草场，2025年被嘎鲁图至图克一级公路征用，至今未收到征地补偿款"))).data
    agent = User.objects.get(username="agent1")
    for retold in ("俺家在沙尔利格有三百亩草场，去年修嘎鲁图到图克那条一级路给占了，补偿款到现在一分没见着",
                   "草场被公路占了，补偿没给", "沙尔利格那块草场的补偿到底什么时候给"):
        shown = {e.petition.pk: e.score for e in intake_check({"petitioner": person, "content": retold}, agent).earlier}
        assert first["id"] in shown
        saved = api("agent1").post("/petitions", petition_body(petitioner=person, content=retold)).data
        petition = Petition.objects.get(pk=saved["id"])
        assert dict((p.pk, s) for p, s in earlier_scored(petition)) == shown, retold
        links = dict(PetitionLink.objects.filter(petition=petition).values_list("related_id", "score"))
        assert links and all(links[pk] == shown[pk] for pk in links)
        # The norm kept for later comparisons is reindex's: with the petition's own text counted.
        from daiban.petitions.index_models import PetitionFeatures
        from daiban.petitions.similarity import Features, norm
        from daiban.petitions.termcounts import stats_for

        stored = PetitionFeatures.objects.get(petition=petition)
        mine = Features.loads(stored.terms, stored.facts)
        assert stored.norm == pytest.approx(norm(mine, stats_for(mine.terms)))

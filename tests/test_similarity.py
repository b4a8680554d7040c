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


def test_identical_text_scores_one_and_empty_scores_zero():
    assert similarity(SAME[0][0], SAME[0][0]) == 1.0
    assert similarity("", SAME[0][0]) == 0.0
    assert similarity("，。！", SAME[0][0]) == 0.0


# --- the labelled corpus (tests/data/same_matter.jsonl) ---------------------------------------------

from daiban.petitions import textnorm  # noqa: E402
from daiban.petitions.similarity import facts, features  # noqa: E402
from tests.data import corpus  # noqa: E402

# The held-out figures measured when the method and threshold were chosen on the tuning part
# (README, `make bench`). A change that lowers them fails here.
HELD_OUT_FLOOR = {"recall": 0.944, "f1": 0.936, "false_alarms": 0.067}


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

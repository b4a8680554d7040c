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

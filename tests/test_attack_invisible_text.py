"""Attack: a required field holding only invisible characters (zero-width joiners, variation
selectors, Hangul fillers, a lone combining mark) passed as "filled in": a petitioner named "\u200d",
a complaint of "\ufe0f". Cleaning now makes such a value empty, so every required check refuses it by
name, while the same characters inside real text (emoji, Mongolian script) stay."""

from __future__ import annotations

import json

import pytest

from daiban.lib.text import clean_line, clean_text
from tests.factories import petition_body

INVISIBLE = ["\u200d", "\u200c\u200d", "\ufe0f", "\u180e", "\u3164", "\u115f\u1160", "\u2800", "\u034f",
             "\u0301", "\U000e0041", "\u200d \u200c\n\ufe0f", "\u00a0\u200d"]


@pytest.mark.parametrize("raw", INVISIBLE)
def test_text_of_only_invisible_characters_cleans_to_nothing(raw):
    assert clean_line(raw) == ""
    assert clean_text(raw) == ""


@pytest.mark.parametrize(("raw", "kept"), [("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"), ("❤\ufe0f", "❤\ufe0f"),
                                           ("ᠮᠣᠩ\u180eᠭᠣᠯ", "ᠮᠣᠩ\u180eᠭᠣᠯ"), ("e\u0301", "\u00e9")])
def test_the_same_characters_inside_real_text_stay(raw, kept):
    assert clean_line(raw) == kept


@pytest.mark.parametrize("raw", ["\u200d", "\u3164", "\ufe0f\u200c"])
def test_intake_refuses_an_invisible_name_and_complaint_by_field(api, org, clock, raw):
    named = api("agent1").post("/petitions", petition_body(petitioner={"name": raw}))
    assert named.status_code == 400 and "petitioner.name" in named.data["error"]["fields"]
    said = api("agent1").post("/petitions", petition_body(content=raw))
    assert said.status_code == 400 and "content" in said.data["error"]["fields"]


def test_the_portal_refuses_an_invisible_complaint(api, org, clock):
    body = petition_body(content="\u200d\u200d")
    response = api().client.post("/api/v1/public/petitions",
                                 json.dumps({"petitioner": body["petitioner"], "content": body["content"]}),
                                 content_type="application/json")
    assert response.status_code == 400 and "content" in response.json()["error"]["fields"]


def test_an_action_refuses_an_invisible_reason(api, routed, clock):
    petition = routed()
    response = api("agent1").act(petition["id"], "escalate", {"to": "center", "reason": "\u200d\ufe0f"})
    assert response.status_code == 400 and "reason" in response.data["error"]["fields"]


@pytest.mark.parametrize("raw", ["\u3164.png", "\u200d\ufe0f.png", "\u2800.PNG"])
def test_an_attachment_name_of_only_invisible_characters_is_named_for_what_it_is(raw):
    from daiban.documents.services import attachment_name

    assert attachment_name(raw, ".png") == "附件.png"

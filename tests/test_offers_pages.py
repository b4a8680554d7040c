"""What the staff pages offer is what the API offers, and what they offer goes through.

tests/test_offers_match_guards.py walks the demo month through the services and the API's
GET …/actions. Here the same walk reads the pages people act on:

- the case page (/staff/petitions/{id}/): its action forms (`<details data-action=…>`, one per
  offered action; inside `<article data-disposition=…>` for a 处置单) are exactly the actions
  GET /petitions/{id}/actions and GET /dispositions/{id}/actions list for that user, with the same
  values in each list (select, radio) the API names in `choices`;
- 撤销上一步 (the undo form): shown exactly when undoing goes through (posted in a savepoint rolled
  back), refused and changing nothing when not shown;
- 批量催办 on the petition list: a user shown the form urges every open 处置单 of a petition offered
  催办 and nothing of one not offered (named as skipped, or nothing to urge); a user not shown the
  form is refused;
- the department's queue (/staff/dispositions/): its 签收 button and its 填写处理结果 link stand
  for actions the API offers on that 处置单, and every 处置单 offered 签收 or 处置结果 is listed;
- the leaders' queue (/staff/opinions/): one form per row of a 处置单 the leader is offered to sign.
"""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client

from daiban.org.models import User
from daiban.petitions import services
from daiban.petitions.abilities import opinion_roles
from daiban.petitions.actions.disposition import signed_opinion
from daiban.petitions.models import Disposition, Event, Petition, Urging
from daiban.petitions.permissions import visible_dispositions, visible_petitions
from daiban.staff import selectors as staff_selectors
from daiban.staff.demo_month import load_demo_month
from tests.test_offers_match_guards import NOW, USERS, _one_of_each, _second_request

pytestmark = pytest.mark.django_db

PETITION = "p"  # the scope of the case page's petition forms (a 处置单's: its id)


class _Undo(Exception):
    """Raised inside the savepoint so that what a request did is rolled back."""


def _value(v: Any) -> str:
    """An API choice's value as the page's form posts it."""
    return str(v).lower() if isinstance(v, bool) else str(v)


class ActionForms(HTMLParser):
    """The workflow forms of a staff page: {(scope, action): {"roles": [...], "lists": {field: [values]}}}
    (scope: PETITION or a 处置单's id), plus whether the undo form is there."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[tuple[str, str], dict[str, Any]] = {}
        self.scope = PETITION
        self.current: dict[str, Any] | None = None
        self.select: str | None = None
        self.undo = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "article" and "data-disposition" in a:
            self.scope = a["data-disposition"]
        elif tag == "details" and "data-action" in a:
            self.current = self.forms.setdefault((self.scope, a["data-action"]), {"roles": [], "lists": {}})
        elif tag == "form" and a.get("data-testid") == "undo":
            self.undo = True
        elif self.current is None:
            return
        elif tag == "input" and a.get("type") == "hidden" and a.get("name") == "role":
            self.current["roles"].append(a["value"])
        elif tag == "input" and a.get("type") == "radio":
            self.current["lists"].setdefault(a["name"], []).append(a["value"])
        elif tag == "select":
            self.select = a["name"]
            self.current["lists"].setdefault(self.select, [])
        elif tag == "option" and self.select is not None and a.get("value"):
            self.current["lists"][self.select].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.scope = PETITION
        elif tag == "details":
            self.current = None
        elif tag == "select":
            self.select = None


def _clients(usernames: tuple[str, ...] = USERS) -> dict[str, tuple[User, Client]]:
    out = {}
    for user in User.objects.filter(username__in=usernames).order_by("username"):
        client = Client()
        client.force_login(user)
        out[user.username] = (user, client)
    return out


def _parse(html: str) -> ActionForms:
    parser = ActionForms()
    parser.feed(html)
    return parser


def _api_offers(api: Any, username: str, pid: int, user: User) -> dict[tuple[str, str], dict[str, list[str]]] | None:
    """{(scope, action): {field: [values]}} as the API lists them; None for a petition not visible."""
    response = api(username).get(f"/petitions/{pid}/actions")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.data
    out = {(PETITION, a["name"]): {f: [_value(c["value"]) for c in cs] for f, cs in a["choices"].items()}
           for a in response.data}
    for did in visible_dispositions(user).filter(petition_id=pid).values_list("pk", flat=True):
        listed = api(username).get(f"/dispositions/{did}/actions")
        assert listed.status_code == 200, listed.data
        out.update({(str(did), a["name"]): {f: [_value(c["value"]) for c in cs] for f, cs in a["choices"].items()}
                    for a in listed.data})
    return out


def _case_page_mismatches(api: Any, ids: list[int]) -> tuple[int, list[str]]:
    compared, problems = 0, []
    for username, (user, client) in _clients().items():
        for pid in ids:
            offered = _api_offers(api, username, pid, user)
            response = client.get(f"/staff/petitions/{pid}/")
            if offered is None:
                if response.status_code != 404:
                    problems.append(f"{pid} {username}: API 404, page {response.status_code}")
                continue
            assert response.status_code == 200, (pid, username, response.status_code)
            shown = _parse(response.content.decode()).forms
            number = Petition.objects.get(pk=pid).number
            for key in sorted(set(offered) - set(shown)):
                problems.append(f"{number} {username}: {key} offered by the API, not on the page")
            for key in sorted(set(shown) - set(offered)):
                problems.append(f"{number} {username}: {key} on the page, not offered by the API")
            for key in sorted(set(offered) & set(shown)):
                compared += 1
                for field, values in offered[key].items():
                    on_page = shown[key]["lists"].get(field)
                    if on_page is not None and on_page != values:
                        problems.append(f"{number} {username} {key} {field}: page {on_page}, API {values}")
                    if on_page is None and values:
                        problems.append(f"{number} {username} {key} {field}: API lists {values}, no list on the page")
                if key[1] == "opinion":  # one form per row this user may sign
                    d = Disposition.objects.get(pk=int(key[0]))
                    roles = list(opinion_roles(user, d.petition, d))
                    if sorted(shown[key]["roles"]) != sorted(roles):
                        problems.append(f"{number} {username} {key}: page rows {shown[key]['roles']}, may sign {roles}")
    return compared, problems


@pytest.fixture
def walk(org, api, routed):
    """The demo month with a second extension request waiting, frozen at NOW: the petitions of
    each shape (test_offers_match_guards._one_of_each)."""
    with time_machine.travel(NOW, tick=False):
        load_demo_month()
        _second_request(api, routed)
        yield _one_of_each()


def test_the_case_page_offers_what_the_api_offers(api, walk):
    compared, problems = _case_page_mismatches(api, walk)
    assert not problems, "\n".join(problems[:30])
    assert compared > 100, compared


def _posted(client: Client, path: str, data: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bool]:
    """POST in a savepoint rolled back: (status, [(level, message)], whether anything was written —
    an event appended or an urging recorded)."""
    before = (Event.objects.count(), Urging.objects.count())
    client.cookies.pop("messages", None)  # only this request's messages
    result: tuple[int, list[tuple[str, str]], bool] = (0, [], False)
    try:
        with transaction.atomic():
            response = client.post(path, data)
            said = [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
            result = (response.status_code, said, (Event.objects.count(), Urging.objects.count()) != before)
            raise _Undo
    except _Undo:
        pass
    return result


def test_undo_is_shown_exactly_when_it_goes_through(walk):
    shown_count, problems = 0, []
    for username, (_user, client) in _clients().items():
        for pid in walk:
            page = client.get(f"/staff/petitions/{pid}/")
            if page.status_code == 404:
                continue
            shown = _parse(page.content.decode()).undo
            status, said, wrote = _posted(client, f"/staff/petitions/{pid}/undo/", {"reason": "误操作"})
            ok = status == 302 and wrote and [lvl for lvl, _ in said] == ["success"]
            shown_count += shown
            if shown and not ok:
                problems.append(f"{pid} {username}: undo shown, yet {status} {said}")
            if not shown and (wrote or any(lvl == "success" for lvl, _ in said)):
                problems.append(f"{pid} {username}: undo not shown, yet it went through: {said}")
    assert not problems, "\n".join(problems[:30])
    assert shown_count >= 3, shown_count  # the demo month's steps are all NOW: the last ones may be undone


def test_bulk_urging_urges_what_is_offered_and_nothing_else(api, walk):
    urged_count, problems = 0, []
    for username, (user, client) in _clients().items():
        listing = client.get("/staff/petitions/")
        assert listing.status_code == 200
        form_shown = 'data-testid="bulk-urge"' in listing.content.decode()
        for pid in walk:
            if not visible_petitions(user).filter(pk=pid).exists():
                continue
            offered = {a["name"]: a for a in api(username).get(f"/petitions/{pid}/actions").data}
            status, said, wrote = _posted(client, "/staff/petitions/bulk/", {"op": "urge", "ids": [pid]})
            if not form_shown:
                if status not in (403, 404) or wrote:  # a page a role may not use answers 404
                    problems.append(f"{pid} {username}: no bulk form, yet bulk urging answered {status}, wrote={wrote}")
                continue
            if "urge" in offered:
                n = len(offered["urge"]["choices"]["disposition_id"])
                if not (wrote and said == [("success", f"已催办 {n} 张处置单")]):
                    problems.append(f"{pid} {username}: 催办 offered ({n} 处置单), bulk said {said}")
                urged_count += 1
            elif wrote or any(lvl == "success" for lvl, _ in said):
                problems.append(f"{pid} {username}: 催办 not offered, yet bulk urging did {said}")
            elif len(said) != 1 or said[0][0] not in ("warning", "info") \
                    or said[0][1].count(Petition.objects.get(pk=pid).number) > 1:
                problems.append(f"{pid} {username}: 催办 not offered: bulk urging should name it once, said {said}")
    assert not problems, "\n".join(problems[:30])
    assert urged_count >= 3, urged_count


def test_the_department_queue_offers_what_the_api_offers(api, walk):
    problems, rows = [], 0
    for username, (user, client) in _clients(("dept1", "dept2", "dept3")).items():
        page = client.get("/staff/dispositions/")
        assert page.status_code == 200
        html = page.content.decode()
        listed = _QueueRows()
        listed.feed(html)
        for did, (receive_button, link_text) in listed.rows.items():
            rows += 1
            offered = {a["name"] for a in api(username).get(f"/dispositions/{did}/actions").data}
            if receive_button and "receive" not in offered:
                problems.append(f"{username} 处置单{did}: 签收 button, not offered ({sorted(offered)})")
            if "填写处理结果" in link_text and "result" not in offered:
                problems.append(f"{username} 处置单{did}: 填写处理结果 link, not offered ({sorted(offered)})")
            if "签收" in link_text and "receive" not in offered:
                problems.append(f"{username} 处置单{did}: 查看并签收 link, not offered ({sorted(offered)})")
            if "receive" in offered and not receive_button:
                problems.append(f"{username} 处置单{did}: 签收 offered, no button")
        # Every 处置单 of this department offered 签收 or 处理结果 is in the queue (it holds them all here).
        for d in visible_dispositions(user).filter(department_id=user.department_id):
            offered = {a.name for a in services.available_disposition_actions(user, d.petition, d)}
            if offered & {"receive", "result"} and str(d.pk) not in listed.rows:
                problems.append(f"{username} 处置单{d.pk}: offered {sorted(offered)}, not in the queue")
    assert not problems, "\n".join(problems[:30])
    assert rows >= 3, rows


class _QueueRows(HTMLParser):
    """{处置单 id: (has a 签收 form, the text of the row's link button)} of the department's queue."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, tuple[bool, str]] = {}
        self.row: str | None = None
        self.in_button_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-disposition" in a:
            self.row = a["data-disposition"]
            self.rows[self.row] = (False, "")
        elif self.row is not None and tag == "form" and a.get("action", "").endswith("/act/receive/"):
            self.rows[self.row] = (True, self.rows[self.row][1])
        elif self.row is not None and tag == "a" and "btn" in a.get("class", ""):
            self.in_button_link = True

    def handle_data(self, data: str) -> None:
        if self.row is not None and self.in_button_link:
            self.rows[self.row] = (self.rows[self.row][0], self.rows[self.row][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.in_button_link = False
        elif tag == "tr":
            self.row = None


def test_the_opinion_queue_offers_the_rows_a_leader_may_sign(api, walk):
    problems, forms = [], 0
    for username, (user, client) in _clients().items():
        page = client.get("/staff/opinions/")
        if page.status_code == 403:
            continue
        rows: dict[str, list[str]] = defaultdict(list)
        parser = _OpinionRows(rows)
        parser.feed(page.content.decode())
        for did, roles in rows.items():
            forms += len(roles)
            d = Disposition.objects.get(pk=int(did))
            offered = {a.name for a in services.available_disposition_actions(user, d.petition, d)}
            may_sign = [r for r in opinion_roles(user, d.petition, d) if not signed_opinion(d, r)]
            if "opinion" not in offered or sorted(roles) != sorted(may_sign):
                problems.append(f"{username} 处置单{did}: rows {roles} on the queue, offered {sorted(offered)}, "
                                f"unsigned rows it may sign {may_sign}")
            for role in roles:
                status, said, wrote = _posted(client, f"/staff/opinions/{did}/", {"role": role, "approve": "1"})
                if not (wrote and [lvl for lvl, _ in said] == []):
                    problems.append(f"{username} 处置单{did} {role}: signing from the queue said {status} {said}")
    assert not problems, "\n".join(problems[:30])
    assert forms >= 1, forms


class _OpinionRows(HTMLParser):
    """{处置单 id: [the roles of its forms]} of the leaders' queue."""

    def __init__(self, rows: dict[str, list[str]]) -> None:
        super().__init__()
        self.rows = rows
        self.row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "article" and "data-disposition" in a:
            self.row = a["data-disposition"]
            self.rows.setdefault(self.row, [])
        elif self.row is not None and tag == "input" and a.get("name") == "role":
            self.rows[self.row].append(a["value"])


# The workbench's cards that name the work waiting: each item must be offered that work.
CARD_ACTIONS = {
    "to_screen": {"screen"},
    "rerouting": {"route"},
    "escalations": {"take_escalation", "return_escalation"},
    "reviews": {"decide_review"},
    "follow_ups": {"follow_up"},
    "opinions": {"opinion"},
    "dispositions": {"receive", "result"},
}


def test_the_workbench_cards_list_what_the_user_is_offered(walk):
    problems, items = [], 0
    for username, (user, client) in _clients().items():
        page = client.get("/staff/")
        assert page.status_code == 200
        for card in staff_selectors.workbench(user):
            wanted = CARD_ACTIONS.get(card.key)
            if wanted is None:
                continue
            assert f'data-card="{card.key}"' in page.content.decode()
            for item in card.items:
                items += 1
                if isinstance(item, Disposition):
                    offered = {a.name for a in services.available_disposition_actions(user, item.petition, item)}
                else:
                    offered = {a.name for a in services.available_actions(user, item)}
                if not offered & wanted:
                    problems.append(f"{username} {card.key} {item.number}: offered {sorted(offered)}")
    assert not problems, "\n".join(problems[:40])
    assert items >= 10, items

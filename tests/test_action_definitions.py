"""One action, one place: the API's body and the page's form are both made from the action's input
class, so they cannot drift apart; an action without a form definition is refused at start-up."""

import datetime

import pytest
from django.http import QueryDict

from daiban.api.actions import INPUTS
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS, ActionInput
from daiban.petitions.actions.base import Ctx, Field, Outcome, petition_action, ui
from daiban.petitions.models import Petition
from daiban.staff.action_forms import fields_for, read_post

SAMPLE_TEXT = "联系信访人，说明办理进展"
SAMPLE_DAY = "2026-09-16"


@pytest.fixture
def openapi(api):
    return api().client.get("/api/v1/openapi.json").json()


def _body_schema(openapi, path):
    ref = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _resolve(openapi, prop):
    """A property's own schema: through $ref and `X | None` (anyOf with null)."""
    if "$ref" in prop:
        return _resolve(openapi, openapi["components"]["schemas"][prop["$ref"].rsplit("/", 1)[1]])
    options = [p for p in prop.get("anyOf", []) if p.get("type") != "null"]
    return _resolve(openapi, options[0]) if options else prop


def _sample(field):
    """What a person would submit in the page's field (strings, as a browser sends them)."""
    choices = [value for value, _ in field.choices if value != ""]
    match field.kind:
        case "radio" | "select" | "hidden":
            return [str(choices[0])]
        case "multiselect":
            return [str(v) for v in choices[:2]]
        case "date":
            return [SAMPLE_DAY]
        case "number":
            return ["3"]
        case "checkbox":
            return ["on"]
    return [SAMPLE_TEXT]


def _as_json(values, schema):
    """The same values as an API client sends them, typed by the API's own schema."""
    kind = schema.get("type")
    if kind == "array":
        return [_as_json([v], schema["items"]) for v in values]
    value = values[0]
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return value in ("on", "true")
    return value


def _every_action():
    for act in ACTIONS.values():
        yield act, f"/api/v1/petitions/{{petition_id}}/actions/{act.name}", f"petition_action_{act.name}"
    for act in DISPOSITION_ACTIONS.values():
        yield act, f"/api/v1/dispositions/{{disposition_id}}/actions/{act.name}", f"disposition_action_{act.name}"


def test_the_api_body_and_the_page_form_build_the_same_input(openapi, routed, org, clock):
    petition = Petition.objects.get(pk=routed()["id"])
    for act, path, url_name in _every_action():
        schema = _body_schema(openapi, path)
        properties = schema["properties"]
        own = set(act.input.own_fields())
        assert set(properties) == own | {"on", "version"}, act.name
        assert INPUTS[url_name] is act.input, act.name  # the route validates with the action's own class
        fields = {f.name: f for f in fields_for(act.input, petition, frozenset({"center"}))}
        hidden = {n for n in own if act.input.widget(n).kind == "hidden"}
        assert set(fields) | hidden == own, act.name  # every field is asked for on the page
        for name in set(schema.get("required", [])) - hidden:
            assert fields[name].required, f"{act.name}.{name}: required by the API, optional on the page"
        post, body = QueryDict(mutable=True), {"on": SAMPLE_DAY, "version": 7}
        post.update({"on": SAMPLE_DAY, "version": "7"})
        for name in own:
            field = fields.get(name) or _hidden_field(act.input, name)
            prop = _resolve(openapi, properties[name])
            if "enum" in prop and act.input.widget(name).choices is None:  # the page offers exactly the API's values
                assert {str(v) for v, _ in field.choices if v != ""} == {str(v) for v in prop["enum"]}, name
            values = _sample(field)
            post.setlist(name, values)
            body[name] = _as_json(values, prop)
        from_page = act.input.parse(read_post(act.input, post))
        from_api = INPUTS[url_name].model_validate(body)
        assert from_page.model_dump() == from_api.model_dump(), act.name
        assert from_page.on == datetime.date(2026, 9, 16) and from_page.version == 7


def _hidden_field(cls, name):
    from daiban.staff.action_forms import _field

    return _field(name, cls.model_fields[name], cls, Petition())


def test_every_action_has_a_route_a_form_and_labels(openapi):
    for act, path, _ in _every_action():
        assert path in openapi["paths"], act.name
        operation = openapi["paths"][path]["post"]
        assert operation["summary"] == act.label
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"]), act.name
        for name, title in act.input.labels().items():
            assert title and title != name, f"{act.name}.{name} has no Chinese title"


def test_an_input_field_without_a_page_widget_is_refused_at_declaration():
    class Bare(ActionInput):
        note: str = Field("", title="说明")

    def handler(ctx: Ctx, data: Bare) -> Outcome:
        return Outcome("")

    with pytest.raises(TypeError, match="ui"):
        petition_action("bare_for_test", "测试", sources={"received"}, actors={"admin"})(handler)
    assert "bare_for_test" not in ACTIONS


def test_a_handler_must_name_its_input_class():
    def untyped(ctx, data):
        return Outcome("")

    with pytest.raises(TypeError, match="ActionInput"):
        petition_action("untyped_for_test", "测试", sources={"received"}, actors={"admin"})(untyped)
    assert "untyped_for_test" not in ACTIONS


def test_a_widget_declared_once_is_what_the_page_shows(routed, org, clock):
    petition = Petition.objects.get(pk=routed()["id"])
    route = {f.name: f for f in fields_for(ACTIONS["route"].input, petition, frozenset({"case_agent"}))}
    assert route["departments"].kind == "multiselect" and route["departments"].label == "事权单位（可多选）"
    assert route["track"].value == "standard" and not route["track"].required  # the petition has a track
    urge = {f.name: f for f in fields_for(ACTIONS["urge"].input, petition, frozenset({"case_agent"}))}
    # An empty first option: the user must choose the 处置单 to urge (issue 15, fault 6).
    assert [v for v, _ in urge["disposition_id"].choices] == ["", petition.dispositions.get().pk]
    assert ui("textarea").kind == "textarea"

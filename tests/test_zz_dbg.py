import tests.test_fuzz_api as f


def test_dbg(org):
    app = f.App()
    schema = f.schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    _, token = f.ApiToken.issue(f.User.objects.get(username="center"))
    headers = {"Authorization": f"Bearer {token}"}
    op = [o for o in f._operations(schema) if "calendar/{year}" in o.label][0]
    failures = []
    n = f._fuzz(schema, op, headers, 12, failures)
    print("calls", n, failures[:3])

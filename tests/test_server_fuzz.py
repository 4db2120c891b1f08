"""Schemathesis drives every operation of the served OpenAPI spec with generated input: no answer may be a 5xx.

ANNODESK_FUZZ_EXAMPLES sets the examples per operation (default small, for CI; raise it for a deeper run).
"""

import os

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("ANNODESK_FUZZ_EXAMPLES", "8"))


def test_no_input_makes_the_server_fail(seeded_sqlite):
    server = seeded_sqlite.server
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    headers = {"Authorization": f"Bearer {seeded_sqlite.sessions['admin'].token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    session = requests.Session()  # one session: a new one per call would load the CA bundle every time

    def call(case):
        response = case.call(base_url=server.url, headers=headers, session=session)
        if response.status_code >= 500:
            failures.append(f"{case.operation.method.upper()} {case.operation.path} -> {response.status_code}: "
                            f"{response.text[:200]} ({case.as_curl_command(headers=headers)})")

    for operation in operations:
        check = given(case=operation.as_strategy())(call)
        settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))(check)()
    assert not failures, "\n".join(failures[:10])

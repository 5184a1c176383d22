"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis): generated
requests, valid and invalid, must never get a server error, and every answer must match the
schema. Bounded: a fixed number of examples per operation (about a minute in all).

One check is left out: `positive_data_acceptance` expects every schema-valid request to be
accepted, but a schema cannot hold the code lists (ISO countries, HS editions) that intake
checks; those answers are 422s naming the field, which test_api.py checks."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from service_fixtures import MEDICINES, consignment, make_world

EXAMPLES = 30  # per operation
ROLE_FOR_PATH = {"/v1/submissions": "bazaro", "/v1/organisations": "admin", "/v1/users": "admin", "/v1/tokens": "admin"}


def test_no_input_gives_a_server_error(tmp_path):
    world = make_world(tmp_path)
    with world.client:
        world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-1", item=MEDICINES), consignment("BZ-2")]},
                          headers=world.as_("bazaro"))  # fmt: skip
        schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 25
        for operation in operations:
            who = next((user for prefix, user in ROLE_FOR_PATH.items() if operation.path.startswith(prefix)), "analyst.de")

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def fuzz(case):
                case.call_and_validate(headers=world.as_(who), excluded_checks=[schemathesis.checks.positive_data_acceptance])

            fuzz()

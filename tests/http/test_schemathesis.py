"""Property-based API testing from the OpenAPI schema: no generated request may cause a server error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from borderwatch.domain.audit import Role
from borderwatch.http.app import create_app
from borderwatch.services import auth
from borderwatch.services.instance import Instance

EXAMPLES_PER_OPERATION = 15
NOT_CALLED = {"/api/auth/logout"}  # would end the session the other generated requests use


def test_no_generated_request_causes_a_server_error(sqlite_instance: Instance) -> None:
    now = datetime.now(UTC)
    user = auth.create_user(
        sqlite_instance.db,
        sqlite_instance.actor(),
        username="fuzz.supervisor",
        role=Role.SUPERVISOR,
        password="a long enough passphrase",
        now=now,
    )
    token = auth.issue_token(sqlite_instance.secret(), user, now=now, minutes=60).token
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(instance=sqlite_instance))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:
        if operation.path in NOT_CALLED:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
                )

        call()
    assert failures == []

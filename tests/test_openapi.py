"""The committed OpenAPI document is the app's, and it reads well to client generators."""

import json
import re
from pathlib import Path

from backend.__main__ import openapi_text

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text() == openapi_text(), (
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    )


def test_operations_have_stable_ids_and_summaries() -> None:
    schema = json.loads(openapi_text())
    ids = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert re.fullmatch(r"[a-z-]+-[a-z]+", operation["operationId"]), (method, path)
            assert operation.get("summary"), (method, path)
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))
    assert "contacts-list" in ids


def test_errors_are_documented_as_problem_json() -> None:
    schema = json.loads(openapi_text())
    for item in schema["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"]

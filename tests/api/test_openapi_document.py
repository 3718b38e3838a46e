"""The OpenAPI document describes what the service really sends."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs

from tests.conftest import case_body

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _pagination_headers(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every operation's documented X-Pagination header, by "METHOD path status"."""
    found = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue  # path-level "parameters"
            for status, response in operation.get("responses", {}).items():
                header = _resolve(document, response).get("headers", {}).get("X-Pagination")
                if header is not None:
                    found[f"{method.upper()} {path} {status}"] = _resolve(document, header)
    return found


def test_x_pagination_is_documented_as_the_json_text_it_is_served_as(world):
    worker = world.client_for("worker_a")
    for number in range(3):
        body = case_body(national_id=f"00119401234{number}", phone=f"091234567{number}")
        assert worker.post("/api/v1/cases", json=body).status_code == 201
    document = worker.get("/api/openapi.json").get_json()
    headers = _pagination_headers(document)
    assert "GET /api/v1/cases 200" in headers and len(headers) >= 3
    for where, header in headers.items():
        # A header is text: an object can only be sent as an encoding of it, which OpenAPI 3
        # names with `content` (one media type). A bare object `schema` means "k,v,k,v".
        assert "schema" not in header, where
        assert list(header["content"]) == ["application/json"], where
    media = headers["GET /api/v1/cases 200"]["content"]["application/json"]
    schema = _resolve(document, media["schema"])

    served = worker.get("/api/v1/cases?per_page=2").headers["X-Pagination"]
    metadata = json.loads(served)
    jsonschema_rs.validator_for(schema).validate(metadata)
    assert metadata == {
        "total": 3, "total_pages": 2, "first_page": 1, "last_page": 2, "page": 1, "next_page": 2
    }

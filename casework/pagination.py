"""Pagination parameters named as API.md promises: ``page`` and ``per_page`` (≤ 100).

flask-smorest calls its query parameter ``page_size``; its schema factory is replaced with one
whose field reads ``per_page`` (installed by ``install``, which ``casework.extensions`` calls
before any blueprint declares a paginated view), so the paginator, the
``X-Pagination`` header and the OpenAPI document all keep working unchanged.

The ``X-Pagination`` header's value is a JSON object serialised as text (``{"total": 42,
"page": 1, ...}``). flask-smorest documents it with a ``schema`` of type object, which in
OpenAPI 3 means the ``simple`` style (``total,42,page,1``), not what is served; a header whose
value is a media type is described with ``content`` instead (OpenAPI 3.0.3, Parameter Object),
so the document names the JSON encoding and its schema (``PAGINATION_HEADER``, registered by
``casework.extensions.CaseworkApi``).
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import pagination

#: The last page number any list accepts (API and pages), so page × per_page stays a sane OFFSET
#: on every database.
MAX_PAGE = 100_000


def _schema_factory(def_page: int, def_page_size: int, def_max_page_size: int) -> type[ma.Schema]:
    class PaginationParametersSchema(ma.Schema):
        class Meta:
            unknown = ma.EXCLUDE

        page = ma.fields.Integer(
            load_default=def_page, validate=ma.validate.Range(min=1, max=MAX_PAGE)
        )
        page_size = ma.fields.Integer(
            data_key="per_page",
            load_default=def_page_size,
            validate=ma.validate.Range(min=1, max=def_max_page_size),
        )

        @ma.post_load
        def make_paginator(self, data: dict, **_: object) -> pagination.PaginationParameters:
            return pagination.PaginationParameters(**data)

    return PaginationParametersSchema


def install() -> None:
    """Make flask-smorest's paginator read ``per_page``; idempotent."""
    pagination._pagination_parameters_schema_factory = _schema_factory  # noqa: SLF001


PAGINATION_HEADER = {
    "description": (
        "Pagination metadata: a JSON object serialised in the header value, for example "
        '{"total": 42, "total_pages": 5, "first_page": 1, "last_page": 5, "page": 1, '
        '"next_page": 2}'
    ),
    "content": {"application/json": {"schema": pagination.PaginationMetadataSchema}},
}

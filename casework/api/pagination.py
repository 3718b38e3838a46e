"""Pagination parameters named as API.md promises: ``page`` and ``per_page`` (≤ 100).

flask-smorest calls its query parameter ``page_size``; its schema factory is replaced with one
whose field reads ``per_page`` (installed when this module is imported), so the paginator, the
``X-Pagination`` header and the OpenAPI document all keep working unchanged.
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


# Installed on import: every module using ``blp.paginate`` imports this one first.
pagination._pagination_parameters_schema_factory = _schema_factory  # noqa: SLF001

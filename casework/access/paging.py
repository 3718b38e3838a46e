"""A scoped query that flask-smorest's paginator counts and slices in SQL.

Only the rows of the page asked for are loaded and turned into what the caller may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, func, select

from casework.extensions import db


class SqlPage:
    """``len()`` is a COUNT over the query; ``[a:b]`` is OFFSET/LIMIT, each row ``present``-ed.

    With ``batch=True`` the page's rows are ``present``-ed together, in one call (a page whose
    rows need further reads does them once for the page, not once per row).
    """

    def __init__(
        self,
        query: Select,
        present: Callable[[Any], Any],
        scalars: bool = True,
        *,
        batch: bool = False,
    ) -> None:
        self.query, self.present, self.scalars, self.batch = query, present, scalars, batch

    def __len__(self) -> int:
        counted = select(func.count()).select_from(self.query.order_by(None).subquery())
        return db.session.scalar(counted) or 0

    def __getitem__(self, window: slice) -> list[Any]:
        rows = self.query.offset(window.start).limit(window.stop - window.start)
        if self.batch:
            found = db.session.scalars(rows) if self.scalars else db.session.execute(rows)
            return list(self.present(list(found)))
        if self.scalars:
            return [self.present(row) for row in db.session.scalars(rows).unique()]
        return [self.present(*row) for row in db.session.execute(rows)]

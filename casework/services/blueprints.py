"""The API blueprints of this package, listed so ``casework.api`` registers them in one line."""

from __future__ import annotations

from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    from casework.services.api import providers_blp, support_blp
    from casework.services.imports.api import blp as imports_blp

    return [providers_blp, support_blp, imports_blp]

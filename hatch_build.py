"""Build hook: the project's top-level ``templates/`` and ``migrations/`` travel in the wheel.

They stay at the top of the checkout (the project's layout) and land inside the installed
package as ``casework/templates`` and ``casework/migrations``, where ``casework.shipped_folder``
looks first. Only for a standard wheel: an editable install serves them from the checkout, so
no stale copy can shadow a migration added later.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SHIPPED = {"templates": "casework/templates", "migrations": "casework/migrations"}


class ShipTopLevelFolders(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update(SHIPPED)

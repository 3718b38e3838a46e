"""Every side effect a declaration can name has exactly one handler, checked at start."""

from __future__ import annotations

import pytest

import workflows
from casework.cases import effects


def test_every_declared_effect_has_a_handler_and_no_handler_is_undeclared():
    assert effects.registered() == frozenset(workflows.EFFECTS)


def test_every_effect_a_declaration_names_is_declared():
    named = {
        name
        for workflow in workflows.WORKFLOWS.values()
        for event in workflow.events
        for name in event.effects
    }
    assert named <= workflows.EFFECTS.keys()


def test_an_effect_declared_without_a_handler_stops_the_application(monkeypatch):
    monkeypatch.setitem(workflows.EFFECTS, "notify_the_moon", "declared, never handled")
    with pytest.raises(LookupError, match="notify_the_moon"):
        effects._check_complete()


def test_a_handler_for_an_undeclared_effect_is_refused():
    with pytest.raises(LookupError, match="not declared"):
        effects.effect("teleport_case")


def test_a_second_handler_for_one_effect_is_refused():
    with pytest.raises(LookupError, match="two handlers"):
        effects.effect("close")

"""The vocabulary of a workflow: stages, events, fields, refusals.

Everything here is a frozen dataclass so a declaration is plain data that can be
shared between threads, compared in tests, and drawn as a diagram or a table
without running anything. Validation happens when a `Workflow` is built, so a
typo in a declaration fails at import time rather than in front of a social
worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PERMISSIONS: dict[str, tuple[str, str]] = {
    "case.transition": ("chuyển hồ sơ theo quy trình", "move a case along its workflow"),
    "case.approve": (
        "phê duyệt (kết thúc, chuyển đơn vị, mở lại, điều chỉnh)",
        "decide closures, transfers, reopening and corrections",
    ),
}
"""What an event may need, as (Vietnamese, English) labels. An event names one permission;
which roles hold it is the application's data (``casework.access.roles``), not the workflow's:
this package knows no role at all."""

ANY_ACTIVE = "*"
"""Source wildcard: every stage that is neither terminal nor a side state."""

FieldKind = Literal["text", "choice", "date", "unit", "user", "int", "document"]
DueKind = Literal["calendar", "working"]
DestRule = Literal["fixed", "return", "stay", "chosen"]

CHOSEN_STAGE_FIELD = "to_stage"
"""The field from which a `dest_rule="chosen"` event takes its destination."""

EFFECTS: dict[str, str] = {
    "set_victim_status": "store data['victim_status'] on the case",
    "record_consent": "set case.consent_given = True (explicit consent, never a default)",
    "set_management_period": "store rehab_kind and rehab_completion_date on the case",
    "record_classification": "store data['classification'] on the case and keep its history",
    "count_relapse": "increment case.relapse_count",
    "skip_stage": "record that result.from_stage was skipped, with data['reason']",
    "start_transfer": "open a transfer to data['to_unit']",
    "complete_transfer": "move the case to the receiving unit and close the transfer",
    "cancel_transfer": "close the transfer as refused; the case stays in its unit",
    "record_closure_request": "store data['closure_reason'] on the case (case.closure_reason)",
    "clear_closure_request": "clear case.closure_reason",
    "close": "set the closing date and reason (case.closure_reason) on the case",
    "reopen": "clear the closing date and reason",
}
"""Side effects the application applies after a transition. The engine only
changes `case.stage`; everything else is the app's, inside its DB transaction."""


@dataclass(frozen=True)
class Refusal:
    """Why a rule refused a move, in words a social worker can act on."""

    message_vi: str
    message_en: str

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en


@dataclass(frozen=True)
class Stage:
    """One stage of a case.

    `due_days` is the time allowed in the stage before the case shows as
    overdue (None: no deadline), counted in calendar or working days.
    `side` marks suspended / transfer_pending / closure_requested: states a
    case visits and then returns from, so they are excluded from `*`.
    """

    name: str
    label_vi: str
    label_en: str
    due_days: int | None = None
    due_kind: DueKind = "calendar"
    optional: bool = False
    terminal: bool = False
    side: bool = False

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en

    @property
    def active(self) -> bool:
        """A stage where the case is worked on (what `*` expands to)."""
        return not (self.terminal or self.side)


@dataclass(frozen=True)
class Field:
    """A value an event asks for. `choices` applies to kind "choice"."""

    name: str
    kind: FieldKind
    required: bool = True
    choices: tuple[str, ...] = ()
    label_vi: str = ""
    label_en: str = ""

    def __post_init__(self) -> None:
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"choice field {self.name!r} declares no choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"field {self.name!r} of kind {self.kind!r} cannot have choices")

    def label(self, lang: str = "vi") -> str:
        return (self.label_vi if lang == "vi" else self.label_en) or self.name


@dataclass(frozen=True)
class Event:
    """A move a person makes on a case.

    `dest` is the stage the case goes to; it is None when the destination is
    computed (`dest_rule`):
      - "return": back to the stage the case left when it entered a side state
        (`case.stage_before_suspension`), e.g. resume, accept_transfer;
      - "stay":   the case stays where it is; only the history and effects
        record the event, e.g. classify;
      - "chosen": the stage named in the submitted `to_stage` field
        (a supervisor's correction).
    `forced` marks a supervisor override; the history row records it.
    """

    name: str
    label_vi: str
    label_en: str
    sources: tuple[str, ...]
    dest: str | None
    permission: str
    guards: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    effects: tuple[str, ...] = ()
    forced: bool = False
    dest_rule: DestRule = "fixed"

    def __post_init__(self) -> None:
        if (self.dest is None) == (self.dest_rule == "fixed"):
            raise ValueError(
                f"event {self.name!r}: a fixed dest_rule needs a dest; a dynamic one has none"
            )
        if self.permission not in PERMISSIONS:
            raise ValueError(
                f"event {self.name!r}: permission must be one of {sorted(PERMISSIONS)}"
            )
        unknown = set(self.effects) - EFFECTS.keys()
        if unknown:
            raise ValueError(f"event {self.name!r}: unknown effects {sorted(unknown)}")
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"event {self.name!r}: duplicate field names")

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Workflow:
    """The state machine of one case type, as data.

    Built once at import; `__post_init__` checks that every name used resolves
    so that the engine, the diagram and the table can trust the declaration.
    """

    case_type: str
    label_vi: str
    label_en: str
    stages: tuple[Stage, ...]
    events: tuple[Event, ...]
    initial: str = "identified"
    _stages: dict[str, Stage] = field(init=False, repr=False, compare=False)
    _events: dict[str, Event] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stages = {s.name: s for s in self.stages}
        events = {e.name: e for e in self.events}
        if len(stages) != len(self.stages):
            raise ValueError(f"{self.case_type}: duplicate stage names")
        if len(events) != len(self.events):
            raise ValueError(f"{self.case_type}: duplicate event names")
        if self.initial not in stages:
            raise ValueError(f"{self.case_type}: unknown initial stage {self.initial!r}")
        for event in self.events:
            for source in event.sources:
                if source != ANY_ACTIVE and source not in stages:
                    raise ValueError(f"{self.case_type}.{event.name}: unknown source {source!r}")
            if event.dest is not None and event.dest not in stages:
                raise ValueError(f"{self.case_type}.{event.name}: unknown dest {event.dest!r}")
            if event.dest_rule == "chosen" and event.field(CHOSEN_STAGE_FIELD) is None:
                raise ValueError(f"{self.case_type}.{event.name}: a chosen dest needs to_stage")
        # Frozen dataclass: the indexes are derived data, set once here.
        object.__setattr__(self, "_stages", stages)
        object.__setattr__(self, "_events", events)

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en

    def stage(self, name: str) -> Stage:
        """The stage called `name`. :raise KeyError: when the type has no such stage."""
        return self._stages[name]

    def has_stage(self, name: str | None) -> bool:
        return name in self._stages

    def event(self, name: str) -> Event:
        """The event called `name`. :raise KeyError: when the type has no such event."""
        return self._events[name]

    def has_event(self, name: str) -> bool:
        return name in self._events

    @property
    def active_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.active)

    def sources_of(self, event: Event) -> tuple[str, ...]:
        """The concrete stages `event` may fire from, with `*` expanded."""
        names: list[str] = []
        for source in event.sources:
            expanded = [s.name for s in self.active_stages] if source == ANY_ACTIVE else [source]
            names.extend(n for n in expanded if n not in names)
        return tuple(names)

    def events_from(self, stage: str) -> tuple[Event, ...]:
        """Every event that may fire from `stage`, whoever asks."""
        return tuple(e for e in self.events if stage in self.sources_of(e))

    def possible_dests(self, event: Event, source: str) -> tuple[str, ...]:
        """Where `event` can take a case from `source`: what the machine is built with."""
        if event.dest_rule == "fixed":
            assert event.dest is not None
            return (event.dest,)
        if event.dest_rule == "stay":
            return (source,)
        return tuple(s.name for s in self.active_stages)

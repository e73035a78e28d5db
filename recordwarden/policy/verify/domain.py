"""The finite domain of facts the exhaustive check enumerates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from recordwarden.accounts.constants import AgencyType
from recordwarden.intake.constants import Instrument, Purpose
from recordwarden.policy.facts import NO_AGENCY, RequestFacts
from recordwarden.records.catalogue import ELEMENTS

ELEMENT_KEYS: tuple[str, ...] = tuple(ELEMENTS)
ALL_KEYS = frozenset(ELEMENT_KEYS)
JUDGE_SIGNED = frozenset(
    {Instrument.JUDICIAL_WARRANT.value, Instrument.COURT_ORDER.value}
)


class VerifyError(RuntimeError):
    """The policy reads something the check's domain does not cover."""


# --- the domain ------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """One dimension of the domain. Each state sets some fact fields; a relative axis's
    states depend on the element being decided."""

    name: str
    reads: frozenset[tuple[str, str]]
    labels: tuple[str, ...]
    states: tuple[Callable[[str], dict[str, Any]], ...]
    # For a string-valued axis: the Cedar attribute and each state's value.
    string_attr: tuple[str, str] | None = None
    values: tuple[str, ...] = ()
    relative: bool = False

    @property
    def size(self) -> int:
        return len(self.states)


def _const(values: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    return lambda _element: values


def _enum_axis(name: str, var: str, attr: str, fact: str, values: list[str]) -> Axis:
    return Axis(
        name=name,
        reads=frozenset({(var, attr)}),
        labels=tuple(values),
        states=tuple(_const({fact: v}) for v in values),
        string_attr=(var, attr),
        values=tuple(values),
    )


def _bool_axis(name: str, attr: str, fact: str, var: str = "context") -> Axis:
    return Axis(
        name=name,
        reads=frozenset({(var, attr)}),
        labels=(f"{fact}=no", f"{fact}=yes"),
        states=(_const({fact: False}), _const({fact: True})),
    )


def _set_axis(name: str, var: str, attr: str, fact: str) -> Axis:
    return Axis(
        name=name,
        reads=frozenset({(var, attr)}),
        labels=(
            f"{fact}: none",
            f"{fact}: this element",
            f"{fact}: every other element",
        ),
        states=(
            lambda e: {fact: frozenset()},
            lambda e: {fact: frozenset({e})},
            lambda e: {fact: ALL_KEYS - {e}},
        ),
        relative=True,
    )


def _subject_states() -> list[tuple[str, dict[str, Any]]]:
    states = []
    for named in (0, 1, 2):
        for count in (None, 0, 1, 2):
            for identified in (False, True) if named else (False,):
                label = (
                    f"{named} named, instrument covers "
                    f"{'unstated' if count is None else count}, "
                    f"{'identified' if identified else 'not identified'}"
                )
                states.append(
                    (
                        label,
                        {
                            "subjects_named": named,
                            "instrument_subject_count": count,
                            "subject_identified": identified,
                        },
                    )
                )
    return states


def _pairs_axis(name: str, fields: tuple[str, str], pairs, labels) -> Axis:
    return Axis(
        name=name,
        reads=frozenset(("context", f) for f in fields),
        labels=tuple(labels),
        states=tuple(_const(dict(zip(fields, p, strict=True))) for p in pairs),
    )


def _build_axes() -> tuple[Axis, ...]:
    subjects = _subject_states()
    return (
        _enum_axis(
            "agency_type",
            "principal",
            "type",
            "agency_type",
            [*AgencyType.values, NO_AGENCY],
        ),
        _bool_axis("agency_verified", "verified", "agency_verified", var="principal"),
        _set_axis("agreement", "principal", "agreement_elements", "agreement_elements"),
        _enum_axis("purpose", "context", "purpose", "purpose", list(Purpose.values)),
        _enum_axis(
            "instrument", "context", "instrument", "instrument", list(Instrument.values)
        ),
        _bool_axis("case_number", "case_number_present", "case_number_present"),
        Axis(
            name="subjects",
            reads=frozenset(
                {
                    ("context", "subjects_named"),
                    ("context", "instrument_subject_count"),
                    ("context", "subject_identified"),
                }
            ),
            labels=tuple(label for label, _ in subjects),
            states=tuple(_const(values) for _, values in subjects),
        ),
        # A worker's identity can only be verified as the subject (facts_for_request).
        _pairs_axis(
            "worker",
            ("requester_is_subject", "identity_verified"),
            [(False, False), (True, False), (True, True)],
            [
                "not the worker",
                "the worker, identity not verified",
                "the worker, identity verified",
            ],
        ),
        _bool_axis("bulk", "bulk_access", "bulk_access"),
        # An emergency can only be verified if one is claimed (facts_for_request).
        _pairs_axis(
            "emergency",
            ("emergency", "emergency_verified"),
            [(False, False), (True, False), (True, True)],
            ["no emergency", "emergency claimed, not verified", "emergency verified"],
        ),
        _bool_axis("notice_delay", "notice_delay_order", "notice_delay_order"),
        _set_axis(
            "judge_order",
            "context",
            "judge_order_names_fields",
            "judge_order_names_fields",
        ),
        _set_axis("consent", "context", "consented_elements", "consented_elements"),
    )


AXES: tuple[Axis, ...] = _build_axes()
AXIS_BY_NAME = {a.name: a for a in AXES}
AXIS_BY_READ = {read: a.name for a in AXES for read in a.reads}
RESOURCE_ATTRS = ("key", "category", "sensitivity")


def facts_at(states: dict[str, int], element: str) -> RequestFacts:
    """The facts at one point: each named axis in the given state, others in state 0."""
    values: dict[str, Any] = {}
    for axis in AXES:
        values.update(axis.states[states.get(axis.name, 0)](element))
    return RequestFacts(**values)

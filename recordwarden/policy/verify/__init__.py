"""The exhaustive check: the policy's invariants hold on every combination of facts.

The domain is finite and enumerated in full: every agency type (and "none"), verified or
not, every purpose, every instrument, case number or not, every arrangement of subjects
named against subjects the instrument covers (identified or not), the requester being
the worker (verified or not), bulk or not, emergency claimed / verified, notice delayed
or not, and each set-valued fact (agreement, judge's order, consent) as "empty", "this
element" or "every other element" -- times every element of the catalogue. That is
hundreds of millions of points, so the check is compositional:

1. Cedar evaluates each rule on its own over the facts that rule reads (found by
   walking the rule's syntax tree). A Cedar expression can only depend on what it
   reads; where a rule compares a string attribute only with literals (``==``, ``!=``,
   ``[...].contains``), values it never names are indistinguishable to it, so one
   representative of them is evaluated and the answer copied to the rest.
2. Those per-rule truth tables are combined over the full product with numpy, exactly
   as the engine combines a decision: granted when some permit holds, no forbid holds
   and no rule errors.
3. Each invariant is a premise on the facts under which granting is a violation.

``tests/test_verify.py`` checks the combination against ``engine.decide`` itself on a
slice of the product, and the mutation test deletes each forbid in turn and shows this
check then fails.
"""

from __future__ import annotations

from .check import Report, Violation, check, release_model
from .domain import (
    ALL_KEYS,
    AXES,
    AXIS_BY_NAME,
    ELEMENT_KEYS,
    JUDGE_SIGNED,
    Axis,
    VerifyError,
    facts_at,
)
from .invariants import NOTICE_INVARIANT, RELEASE_INVARIANTS, Grid, Invariant
from .tables import Reads, Table, rule_reads, rule_table

__all__ = [
    "ALL_KEYS",
    "AXES",
    "AXIS_BY_NAME",
    "ELEMENT_KEYS",
    "JUDGE_SIGNED",
    "NOTICE_INVARIANT",
    "RELEASE_INVARIANTS",
    "Axis",
    "Grid",
    "Invariant",
    "Reads",
    "Report",
    "Table",
    "VerifyError",
    "Violation",
    "check",
    "facts_at",
    "release_model",
    "rule_reads",
    "rule_table",
]

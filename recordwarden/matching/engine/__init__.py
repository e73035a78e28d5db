"""Subject matching engine: plain Python, no Django.

``resolve(subject, index, model)`` returns a Resolution with an outcome (match,
ambiguous, none) and scored candidates whose per-field evidence explains the score.
"""

from .model import Model, Thresholds
from .normalize import Person, prepare
from .resolve import (
    AMBIGUOUS,
    MATCH,
    NONE,
    Candidate,
    Evidence,
    MemoryIndex,
    Resolution,
)
from .resolve import resolve as resolve

__all__ = [
    "AMBIGUOUS",
    "MATCH",
    "NONE",
    "Candidate",
    "Evidence",
    "MemoryIndex",
    "Model",
    "Person",
    "Resolution",
    "Thresholds",
    "prepare",
    "resolve",
]

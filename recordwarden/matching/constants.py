"""Choices and audit actions of the matching app."""

from django.db import models

from recordwarden.audit import actions as audit_actions

from .engine import keys as engine_keys

SUBJECT_RESOLVED = "matching.subject_resolved"
MATCH_CONFIRMED = "matching.match_confirmed"
MATCH_REJECTED = "matching.match_rejected"
INDEX_BUILT = "matching.index_built"
MATCHER_TRAINED = "matching.matcher_trained"
BATCH_RESOLVED = "matching.batch_resolved"

audit_actions.register(
    SUBJECT_RESOLVED,
    MATCH_CONFIRMED,
    MATCH_REJECTED,
    INDEX_BUILT,
    MATCHER_TRAINED,
    BATCH_RESOLVED,
)


class Outcome(models.TextChoices):
    MATCH = "match", "Match"
    AMBIGUOUS = "ambiguous", "Ambiguous: a reviewer chooses"
    NONE = "none", "No plausible worker"


class KeyType(models.IntegerChoices):
    SSN = engine_keys.KEY_CODES[engine_keys.SSN], "SSN (keyed hash)"
    LAST4_YEAR = engine_keys.KEY_CODES[engine_keys.LAST4_YEAR], "Last four + birth year"
    LAST4_NAME = (
        engine_keys.KEY_CODES[engine_keys.LAST4_NAME],
        "Last four + surname initial",
    )
    DOB_LAST = engine_keys.KEY_CODES[engine_keys.DOB_LAST], "Birth date + surname code"
    DOB_FIRST = (
        engine_keys.KEY_CODES[engine_keys.DOB_FIRST],
        "Birth date + given-name code",
    )
    NAME_ZIP = engine_keys.KEY_CODES[engine_keys.NAME_ZIP], "Name codes + ZIP"
    NAME = engine_keys.KEY_CODES[engine_keys.NAME], "Name codes"
    DOB_ZIP = engine_keys.KEY_CODES[engine_keys.DOB_ZIP], "Birth date + ZIP"
    HOUSE = engine_keys.KEY_CODES[engine_keys.HOUSE], "ZIP + house number + street"
    NAME_CITY = engine_keys.KEY_CODES[engine_keys.NAME_CITY], "Name codes + city"

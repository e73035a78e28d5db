"""Exceptions shared by services. Views and the API translate them to responses."""


class RecordwardenError(Exception):
    """Base class: the message is safe to show to the person who caused it."""


class NotFound(RecordwardenError):
    """Missing or not visible to the actor: the two are deliberately indistinguishable."""


class Forbidden(RecordwardenError):
    """The actor may see the object but may not do this to it."""


class Conflict(RecordwardenError):
    """Someone else changed the object first, or the move is not allowed from its state."""

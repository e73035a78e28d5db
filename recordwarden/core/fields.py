"""A binary column encrypted at rest (AES-GCM, see core.crypto).

Used for what arrives from outside exactly as received (an email, an API body): it may hold
an SSN or other personal data in clear, so the database never does. Reads give the
plaintext bytes back; the context binds a ciphertext to its column.
"""

from __future__ import annotations

from django.db import models

from . import crypto


class EncryptedBytesField(models.BinaryField):
    def __init__(self, *args, context: str = "", **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None:
            value = crypto.encrypt_bytes(bytes(value), context=self.context)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.decrypt_bytes(value, context=self.context)

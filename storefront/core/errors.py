"""A small taxonomy of domain errors that services raise and views map to responses."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(DomainError):
    """The thing asked for does not exist, or is not the asker's to see."""


class InvalidInput(DomainError):
    """Input broke a rule; the message says which (in English, for logs and CLI)."""


class Forbidden(DomainError):
    """The actor may not do this."""


class FieldError(InvalidInput):
    """A form field's input broke a rule: `field` names the field, `code` the rule (each subclass lists its
    codes); the view turns the pair into a translated message on that field."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code

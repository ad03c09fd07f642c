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

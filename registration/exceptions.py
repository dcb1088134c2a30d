"""What the registration services refuse, and why: ``str(exc)`` is the message to show."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registration.models import Registration


class RegistrationError(Exception):
    """An expected refusal; ``str(exc)`` is the message to show the person."""


class RegistrationNotOpen(RegistrationError):
    pass


class RegistrationClosed(RegistrationError):
    pass


class WorkshopFull(RegistrationError):
    """No seat left and no waiting list."""


class AlreadyRegistered(RegistrationError):
    def __init__(self, registration: Registration) -> None:
        super().__init__("This email address is already registered.")
        self.registration = registration


class CapacityBelowConfirmed(RegistrationError):
    pass


class InvalidTransition(RegistrationError):
    pass


class RegistrationBusy(RegistrationError):
    """The registration lock was not free within ``REGISTRATION_LOCK_TIMEOUT``: try again."""

    def __init__(self) -> None:
        super().__init__(
            "Many people are registering right now. Nothing was saved: please send the form again."
        )

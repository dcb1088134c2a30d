"""Built-in wording of the registration mails, and the placeholders organizers may use."""

from django.core.exceptions import ValidationError

from outbox.mail import PLACEHOLDER, fill_placeholders as fill

__all__ = ["DEFAULTS", "PLACEHOLDERS", "check_placeholders", "fill"]

DEFAULTS: dict[str, tuple[str, str]] = {
    "confirmed": (
        "Your seat at {workshop} is confirmed",
        "Dear {first_name},\n\n"
        "your registration for {workshop} ({dates}, {venue}) is confirmed.\n\n"
        "Your check-in code is {checkin_code}; show this mail (or its QR code) at the desk.\n\n"
        "See or change your registration, or cancel it, here:\n{manage_url}\n",
    ),
    "waitlisted": (
        "You are on the waiting list for {workshop}",
        "Dear {first_name},\n\n"
        "{workshop} is full, so we put you on the waiting list, in position {position}.\n"
        "When a seat frees up you move up automatically, and we write to you at once.\n\n"
        "Your registration, your position, and a way to leave the list:\n{manage_url}\n",
    ),
    "promoted": (
        "You're in: a seat at {workshop} is yours",
        "Dear {first_name},\n\n"
        "a seat has freed up and it is yours: your registration for {workshop} ({dates}, "
        "{venue}) is now confirmed.\n\n"
        "Your check-in code is {checkin_code}.\n\n"
        "If you can no longer come, please cancel so the next person gets the seat:\n"
        "{manage_url}\n",
    ),
    "pending": (
        "We received your registration for {workshop}",
        "Dear {first_name},\n\n"
        "thank you for registering for {workshop}. The organizers approve registrations "
        "one by one; we will write to you when they have decided.\n\n"
        "Your registration:\n{manage_url}\n",
    ),
    "approved": (
        "Your registration for {workshop} is approved",
        "Dear {first_name},\n\n"
        "the organizers approved your registration for {workshop}. Your status: {status}.\n\n"
        "Your registration:\n{manage_url}\n",
    ),
    "rejected": (
        "Your registration for {workshop}",
        "Dear {first_name},\n\n"
        "we are sorry: the organizers could not accept your registration for {workshop}.\n",
    ),
    "cancelled": (
        "Your registration for {workshop} is cancelled",
        "Dear {first_name},\n\n"
        "your registration for {workshop} is cancelled. Thank you for letting us know.\n",
    ),
    "reminder": (
        "See you soon at {workshop}",
        "Dear {first_name},\n\n"
        "{workshop} starts soon: {dates}, {venue}.\n\n"
        "Your check-in code is {checkin_code}.\n"
        "If you can no longer come, please cancel so the next person gets your seat:\n"
        "{manage_url}\n",
    ),
    "verify": (
        "Confirm your registration for {workshop}",
        "Dear {first_name},\n\n"
        "thank you for registering for {workshop} ({dates}, {venue}). We are holding your "
        "place until {confirm_by}. To keep it, confirm that this address is yours: open this "
        "link and press “Confirm my registration”.\n\n{confirm_url}\n\n"
        "After that time your place goes to the next person.\n",
    ),
    "lapsed": (
        "Your registration for {workshop} lapsed",
        "Dear {first_name},\n\n"
        "your registration for {workshop} was not confirmed in time, so it lapsed and its "
        "place went to the next person. You are welcome to register again.\n",
    ),
    "link": (
        "Your registration link for {workshop}",
        "Dear {first_name},\n\n"
        "you (or someone using your address) asked for your registration link for {workshop}. "
        "Your status: {status}.\n\n{manage_url}\n",
    ),
}

PLACEHOLDERS = (
    "first_name",
    "last_name",
    "workshop",
    "dates",
    "venue",
    "manage_url",
    "status",
    "position",
    "checkin_code",
    "confirm_by",
    "confirm_url",
)


def check_placeholders(text: str) -> None:
    """Refuse a text with a placeholder that is none of ours: “{frist_name}” would go out as
    typed, to everyone."""
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        listed = ", ".join(f"{{{name}}}" for name in unknown)
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise ValidationError(
            f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {listed}. "
            f"The placeholders are: {known}."
        )

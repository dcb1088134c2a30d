"""Expected refusals; ``str(exc)`` is the message to show."""

__all__ = [
    "CallNotOpen",
    "ConflictOfInterest",
    "DeadlinePassed",
    "InvalidPdf",
    "NotAllowed",
    "OneSubmissionOnly",
    "ReviewsClosed",
    "SubmissionError",
]


class SubmissionError(Exception):
    """A refusal with a message for the person."""


class CallNotOpen(SubmissionError):
    pass


class DeadlinePassed(SubmissionError):
    pass


class OneSubmissionOnly(SubmissionError):
    pass


class InvalidPdf(SubmissionError):
    pass


class NotAllowed(SubmissionError):
    pass


class ConflictOfInterest(SubmissionError):
    pass


class ReviewsClosed(SubmissionError):
    pass

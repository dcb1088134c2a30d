"""Email backends that stand in for an SMTP server that misbehaves (the outside world)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DisconnectingBackend(BaseEmailBackend):
    """A server that drops the connection: a transient failure, worth retrying."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """A server that answers 550 for every recipient: a permanent failure."""

    def send_messages(self, email_messages):
        recipients = {to: (550, b"5.1.1 No such user") for m in email_messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)

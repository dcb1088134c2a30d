"""How allauth talks to our project: its mail goes through the outbox like all other mail."""

from __future__ import annotations

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction

from config.addresses import normalize_email
from config.ratelimit import client_ip
from outbox.mail import queue_mail

# Outbox keys are at most 200 characters; allauth's template prefixes are short, but be safe.
MAX_KIND_LENGTH = 60


class AccountAdapter(DefaultAccountAdapter):
    """Queue allauth's mail (verification, password reset…) in the outbox instead of sending;
    store and look up addresses in their one normalized form."""

    def clean_email(self, email: str) -> str:
        return normalize_email(super().clean_email(email))

    def get_client_ip(self, request) -> str:
        # The address every other limit of ours counts (config/ratelimit.py).
        return client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        # allauth's own templates, rendered as allauth would; the outbox stores the result.
        message = self.render_mail(template_prefix, email, full_context)
        kind = template_prefix.rsplit("/", 1)[-1][:MAX_KIND_LENGTH]
        # Each call is a new message (a second reset request must send a second link): the key
        # is unique per call. Committed here, so the mail goes out even if allauth's view runs
        # outside a transaction, and never before the change that caused it is saved.
        with transaction.atomic():
            queue_mail(
                key=f"account:{kind}:{uuid.uuid4().hex}",
                to=email,
                template="accounts/emails/allauth",
                context={"subject": message.subject, "body": message.body},
            )

"""Registration mails as attendees receive them: link, QR code, organizer wording."""

import pytest
from django.test import Client

from registration import services
from registration.models import MailText
from registration.services import RegistrationData
from tests.factories import RegistrationSettingsFactory

pytestmark = pytest.mark.django_db


def register(conf, n: int):
    return services.register_attendee(
        workshop=conf.workshop,
        data=RegistrationData(
            first_name=f"Emmy{n}", last_name="Noether", email=f"e{n}@example.org"
        ),
    )


def test_confirmed_mail_carries_link_code_and_qr(mailoutbox, django_capture_on_commit_callbacks):
    conf = RegistrationSettingsFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(conf, 1)
    [message] = mailoutbox
    assert message.to == ["e1@example.org"]
    assert message.subject == f"Your seat at {conf.workshop.title} is confirmed"
    assert registration.get_absolute_url() in message.body
    assert registration.checkin_code in message.body
    html = message.alternatives[0].content
    assert 'src="cid:checkin-qr"' in html
    [image] = [part for part in message.attachments if getattr(part, "get_content_type", None)]
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<checkin-qr>"
    assert image.get_payload(decode=True).startswith(b"\x89PNG")
    # The link in the mail opens the attendee's own page.
    page = Client().get(registration.get_absolute_url())
    assert page.status_code == 200
    assert "Confirmed" in page.content.decode()


def test_waitlisted_mail_has_no_qr(mailoutbox, django_capture_on_commit_callbacks):
    conf = RegistrationSettingsFactory(capacity=0)
    with django_capture_on_commit_callbacks(execute=True):
        register(conf, 1)
    [message] = mailoutbox
    assert "position 1" in message.body
    assert message.attachments == []
    assert "cid:checkin-qr" not in message.alternatives[0].content


def test_workshop_wording_replaces_the_default(mailoutbox, django_capture_on_commit_callbacks):
    conf = RegistrationSettingsFactory(capacity=5)
    MailText.objects.create(
        workshop=conf.workshop,
        kind="confirmed",
        subject="Welcome {first_name}!",
        body="See you at {workshop}. Manage: {manage_url}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(conf, 7)
    [message] = mailoutbox
    assert message.subject == "Welcome Emmy7!"
    assert message.body.startswith(f"See you at {conf.workshop.title}. Manage: http")
    assert registration.get_absolute_url() in message.body


def test_subjects_carry_no_html_entities(mailoutbox, django_capture_on_commit_callbacks):
    """Subjects and text bodies are text: "Tom's" and "LoRAINNe'24", not "Tom&#x27;s"."""
    conf = RegistrationSettingsFactory(capacity=5, workshop__title="LoRAINNe'24 & Friends <2>")
    with django_capture_on_commit_callbacks(execute=True):
        services.register_attendee(
            workshop=conf.workshop,
            data=RegistrationData(first_name="Tom", last_name="O'Brien", email="tom@example.org"),
        )
    [message] = mailoutbox
    assert message.subject == "Your seat at LoRAINNe'24 & Friends <2> is confirmed"
    assert "LoRAINNe'24 & Friends <2>" in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    # The HTML part escapes, as HTML must.
    assert "LoRAINNe&#x27;24 &amp; Friends &lt;2&gt;" in message.alternatives[0].content

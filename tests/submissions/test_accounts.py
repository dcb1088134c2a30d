"""Speaker accounts through allauth: sign-up, verification, login, password reset, all mail
through the outbox."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from outbox.models import OutgoingMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/[^\s]+)")
PASSWORD = "correct-horse-battery-9"


def only_link(body: str) -> str:
    [path] = LINK.findall(body)
    return path


def sign_up(client, email="ada@example.org"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_sign_up_queues_the_verification_mail_in_the_outbox(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    [row] = OutgoingMail.objects.all()
    assert row.to == "ada@example.org"
    assert row.key.startswith("account:email_confirmation_signup:")
    assert row.template == "accounts/emails/allauth"
    assert "/accounts/confirm-email/" in row.body_text
    # Delivered after commit, by the same path as every other mail.
    [message] = mailoutbox
    assert message.to == ["ada@example.org"]
    assert message.subject == row.subject
    assert message.extra_headers["X-Outbox-Key"] == row.key
    row.refresh_from_db()
    assert row.status == OutgoingMail.Status.SENT


def test_no_mail_leaves_before_the_commit(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign_up(client)
    assert OutgoingMail.objects.count() == 1
    assert mailoutbox == []
    assert callbacks  # delivery waits for the commit


def test_login_is_refused_until_the_address_is_verified_then_works(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    client.logout()
    login = {"login": "ada@example.org", "password": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("account_login"), login)
    assert refused.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    confirm = only_link(mailoutbox[0].body)
    page = client.get(confirm)
    assert page.status_code == 200
    assert 'class="btn btn-primary"' in page.content.decode()  # our layout, Bootstrap
    client.post(confirm)
    client.logout()

    response = client.post(reverse("account_login"), login)
    assert response.status_code == 302
    assert response.url == reverse("submissions:after_login")
    assert client.get(reverse("submissions:mine")).status_code == 200
    user = User.objects.get(email="ada@example.org")
    assert user.emailaddress_set.get().verified


def test_password_reset_mail_goes_through_the_outbox(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="grace@example.org")
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "grace@example.org"})
    assert response.status_code == 302
    [row] = OutgoingMail.objects.all()
    assert row.key.startswith("account:password_reset_key:")
    [message] = mailoutbox
    link = only_link(message.body)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "another-long-secret-42"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_two_reset_requests_send_two_mails(client, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(email="grace@example.org")
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
        client.post(reverse("account_reset_password"), {"email": user.email})
    assert OutgoingMail.objects.count() == 2
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_email_verification_sent",
    ],
)
def test_account_pages_render_inside_our_layout(client, name):
    html = client.get(reverse(name)).content.decode()
    assert "bootstrap.min.css" in html
    assert 'class="navbar-brand"' in html


def test_the_admin_keeps_its_own_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("name", "heading"), [("account_login", "Log in"), ("account_signup", "Sign up")]
)
def test_one_spelling_of_log_in_across_the_site(client, name, heading):
    page = client.get(reverse(name)).content.decode()
    assert "Sign In" not in page and "Sign Up" not in page  # allauth's own wording
    assert re.search(rf"<h1[^>]*>\s*{heading}\s*</h1>", page)

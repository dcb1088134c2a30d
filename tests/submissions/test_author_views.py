"""The author's pages: own submissions only, read-only after the deadline or a decision, no 500
for bad input, sanitized Markdown, private PDFs."""

import datetime as dt
import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from submissions import emails, services
from submissions.models import Submission
from tests.factories import UserFactory, WorkshopFactory
from tests.submissions.factories import (
    AuthorFactory,
    CallForAbstractsFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    SubmissionFactory,
    SubmissionTypeFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cfa():
    cfa = CallForAbstractsFactory(workshop=WorkshopFactory(slug="lora", title="LoRA Workshop"))
    services.ensure_submission_types(cfa.workshop)
    return cfa


@pytest.fixture
def ada(client):
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    client.force_login(user)
    return user


def talk(cfa):
    return SubmissionTypeFactory(workshop=cfa.workshop, name="Talk")


def form_data(cfa, *, action="submit", authors=None, **changes) -> dict:
    authors = authors or [
        {"name": "Ada Lovelace", "email": "ada@example.org", "is_presenter": "on"},
        {"name": "Grace Hopper", "email": "grace@example.org", "affiliation": "Navy"},
    ]
    data = {
        "title": "Adapters of low rank",
        "abstract": "We study **low-rank** adapters.",
        "type": talk(cfa).pk,
        "topic": "",
        "action": action,
        "authors-TOTAL_FORMS": len(authors),
        "authors-INITIAL_FORMS": 0,
        "authors-MIN_NUM_FORMS": 1,
        "authors-MAX_NUM_FORMS": 30,
    }
    for i, author in enumerate(authors):
        for name, value in author.items():
            data[f"authors-{i}-{name}"] = value
    data.update(changes)
    return data


def new_url(cfa) -> str:
    return reverse("submissions:new", args=[cfa.workshop.slug])


def own_submission(cfa, user, **fields) -> Submission:
    return SubmissionFactory(workshop=cfa.workshop, submitter=user, type=talk(cfa), **fields)


def close(cfa) -> None:
    cfa.opens_at = timezone.now() - dt.timedelta(days=30)
    cfa.deadline = timezone.now() - dt.timedelta(minutes=1)
    cfa.save()


# --- who may see what ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["detail", "edit", "withdraw", "pdf"])
def test_anonymous_visitors_are_sent_to_the_login(client, cfa, name):
    submission = own_submission(cfa, UserFactory())
    response = client.get(reverse(f"submissions:{name}", args=[submission.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("url", ["/submissions/", "/workshops/lora/submit/"])
def test_anonymous_list_and_form_need_a_login(client, cfa, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["detail", "edit", "withdraw", "pdf"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_users_submission_is_404(client, cfa, ada, name, method):
    theirs = own_submission(cfa, UserFactory(), pdf=ContentFile(PDF, name="x.pdf"))
    response = getattr(client, method)(
        reverse(f"submissions:{name}", args=[theirs.pk]), form_data(cfa, title="Mine now")
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) != ("Mine now", "withdrawn")
    assert theirs.status == Submission.Status.SUBMITTED


def test_my_submissions_lists_only_mine_with_their_status(
    client, cfa, ada, django_assert_max_num_queries
):
    draft = own_submission(cfa, ada, title="My draft", status="draft", submitted_at=None)
    sent = own_submission(cfa, ada, title="My talk")
    own_submission(cfa, UserFactory(), title="Not mine")
    other_call = CallForAbstractsFactory()
    for i in range(5):
        SubmissionFactory(workshop=other_call.workshop, submitter=ada, title=f"Extra {i}")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("submissions:mine"))
    html = response.content.decode()
    assert "Not mine" not in html
    rows = {row["submission"].title: row for row in response.context["rows"]}
    assert set(rows) == {"My draft", "My talk", *(f"Extra {i}" for i in range(5))}
    assert rows["My draft"]["submission"] == draft and rows["My talk"]["submission"] == sent
    assert "Draft" in html and "(not submitted yet)" in html
    assert "Submitted" in html


# --- the form -------------------------------------------------------------------------------


def test_form_shows_the_deadline_in_aoe_with_the_local_time_and_prefills_the_submitter(
    client, cfa, ada
):
    cfa.deadline = dt.datetime(2031, 3, 16, 11, 59, tzinfo=dt.UTC)  # 23:59 AoE on the 15th
    cfa.save()
    response = client.get(new_url(cfa))
    html = response.content.decode()
    assert response.status_code == 200
    assert "15 March 2031, 23:59 AoE" in html
    assert '<time datetime="2031-03-16T11:59:00+00:00" data-local-time>' in html
    assert "js/localtime.js" in html
    assert 'value="ada@example.org"' in html
    assert 'value="Ada Lovelace"' in html
    assert 'name="action" value="draft"' in html and 'name="action" value="submit"' in html


def test_submit_creates_and_shows_the_submission(client, cfa, ada):
    response = client.post(new_url(cfa), form_data(cfa))
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response.url == submission.get_absolute_url()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitter == ada
    assert [a.email for a in submission.authors.all()] == ["ada@example.org", "grace@example.org"]
    page = client.get(response.url)
    assert "is submitted" in page.content.decode()
    assert OutgoingMail.objects.filter(to="grace@example.org").count() == 1


def test_save_draft_keeps_a_draft(client, cfa, ada):
    client.post(new_url(cfa), form_data(cfa, action="draft"))
    assert Submission.objects.get().status == Submission.Status.DRAFT
    assert OutgoingMail.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 251}, "title"),
        ({"title": ""}, "title"),
        ({"abstract": ""}, "abstract"),
        ({"type": "999999"}, "type"),
        ({"abstract": "word " * 301}, "abstract"),
    ],
    ids=["long-title", "no-title", "no-abstract", "bad-type", "over-word-limit"],
)
def test_invalid_input_is_a_form_error_not_a_500(client, cfa, ada, changes, field):
    response = client.post(new_url(cfa), form_data(cfa, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Submission.objects.count() == 0


def test_bad_author_email_is_a_form_error(client, cfa, ada):
    authors = [{"name": "Ada Lovelace", "email": "ada@example.org"}, {"name": "G", "email": "nope"}]
    response = client.post(new_url(cfa), form_data(cfa, authors=authors))
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert Submission.objects.count() == 0


def test_no_authors_or_duplicate_authors_are_form_errors(client, cfa, ada):
    response = client.post(new_url(cfa), form_data(cfa, authors=[{"name": "", "email": ""}]))
    assert response.status_code == 200
    twice = [{"name": "A", "email": "a@example.org"}, {"name": "B", "email": "A@example.org"}]
    response = client.post(new_url(cfa), form_data(cfa, authors=twice))
    assert "Each author needs their own email address." in response.content.decode()
    assert Submission.objects.count() == 0


def test_a_garbled_formset_is_not_a_500(client, cfa, ada):
    data = form_data(cfa)
    data["authors-TOTAL_FORMS"] = "lots"
    response = client.post(new_url(cfa), data)
    assert response.status_code == 200
    assert Submission.objects.count() == 0
    data["action"] = "add"
    assert client.post(new_url(cfa), data).status_code == 200


def test_unknown_action_saves_nothing(client, cfa, ada):
    response = client.post(new_url(cfa), form_data(cfa, action="publish"))
    assert response.status_code == 200
    assert Submission.objects.count() == 0


def _author_emails(response) -> list[str]:
    return [f.initial.get("email", "") for f in response.context["authors"]]


def test_authors_can_be_added_moved_and_removed_without_javascript(client, cfa, ada):
    authors = [
        {"name": "Ada Lovelace", "email": "ada@example.org"},
        {"name": "Grace Hopper", "email": "grace@example.org"},
        {"name": "Emmy Noether", "email": "emmy@example.org"},
    ]
    typed = {"title": "Kept while rearranging"}
    added = client.post(new_url(cfa), form_data(cfa, action="add", authors=authors, **typed))
    assert added.status_code == 200
    assert len(added.context["authors"].forms) == 4
    assert 'value="Kept while rearranging"' in added.content.decode()

    up = client.post(new_url(cfa), form_data(cfa, action="up-2", authors=authors))
    assert _author_emails(up) == ["ada@example.org", "emmy@example.org", "grace@example.org"]
    down = client.post(new_url(cfa), form_data(cfa, action="down-0", authors=authors))
    assert _author_emails(down) == ["grace@example.org", "ada@example.org", "emmy@example.org"]
    removed = client.post(new_url(cfa), form_data(cfa, action="remove-1", authors=authors))
    assert _author_emails(removed) == ["ada@example.org", "emmy@example.org"]
    assert Submission.objects.count() == 0  # nothing is saved by a row button

    # The order on the page is the order saved.
    order = [authors[2], authors[0], authors[1]]
    client.post(new_url(cfa), form_data(cfa, authors=order))
    assert [a.email for a in Submission.objects.get().authors.all()] == [
        "emmy@example.org",
        "ada@example.org",
        "grace@example.org",
    ]


def test_blank_added_row_is_ignored_on_save(client, cfa, ada):
    authors = [{"name": "Ada Lovelace", "email": "ada@example.org"}, {"name": "", "email": ""}]
    data = form_data(cfa, authors=authors)
    data["authors-INITIAL_FORMS"] = 1
    assert client.post(new_url(cfa), data).status_code == 302
    assert Submission.objects.get().authors.count() == 1


def test_fake_pdf_gets_a_clear_message(client, cfa, ada):
    cfa.pdf_upload = "optional"
    cfa.save()
    fake = SimpleUploadedFile("x.pdf", b"I am text pretending to be a PDF.", "application/pdf")
    response = client.post(new_url(cfa), {**form_data(cfa), "pdf": fake})
    assert response.status_code == 200
    assert "This file is not a PDF" in " ".join(response.context["form"].errors["pdf"])
    assert Submission.objects.count() == 0


def test_required_pdf_missing_is_a_form_error(client, cfa, ada):
    cfa.pdf_upload = "required"
    cfa.save()
    response = client.post(new_url(cfa), form_data(cfa))
    assert response.status_code == 200
    assert "pdf" in response.context["form"].errors
    assert Submission.objects.count() == 0


def test_one_submission_only_hides_the_form_and_the_service_refuses(client, cfa, ada):
    cfa.multiple_submissions = False
    cfa.save()
    own_submission(cfa, ada)
    page = client.get(new_url(cfa)).content.decode()
    assert "one submission per person" in page
    assert 'data-testid="submission-form"' not in page
    client.post(new_url(cfa), form_data(cfa))
    assert Submission.objects.filter(submitter=ada).count() == 1


def test_workshop_without_a_call_has_no_form(client, ada):
    workshop = WorkshopFactory()
    assert client.get(reverse("submissions:new", args=[workshop.slug])).status_code == 404


def test_unpublished_workshop_has_no_form_for_speakers(client, cfa, ada):
    cfa.workshop.published = False
    cfa.workshop.save()
    assert client.get(new_url(cfa)).status_code == 404


# --- after the deadline, after a decision ---------------------------------------------------


def test_form_before_the_opening_says_when_it_opens(client, cfa, ada):
    cfa.opens_at = timezone.now() + dt.timedelta(days=2)
    cfa.save()
    html = client.get(new_url(cfa)).content.decode()
    assert "The call for abstracts opens on" in html
    assert 'data-testid="submission-form"' not in html


def test_post_after_the_deadline_is_refused_with_a_clear_message(client, cfa, ada):
    close(cfa)
    response = client.post(new_url(cfa), form_data(cfa))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("has passed: submissions can no longer be changed.") == 1  # said once
    assert Submission.objects.count() == 0
    # What they typed comes back, to keep (read-only: nothing more can be sent).
    typed = html.split('data-testid="typed"')[1].split("</section>")[0]
    data = form_data(cfa)
    assert f'value="{data["title"]}" readonly' in typed
    assert data["abstract"].split()[0] in typed and "readonly>" in typed


def test_a_call_closing_between_the_check_and_the_save_says_so_once_too(
    client, cfa, ada, monkeypatch
):
    from submissions import views

    monkeypatch.setattr(views, "_closed_notice", lambda cfa: "")  # the page's check passed
    close(cfa)  # and the service's, a moment later, does not
    html = client.post(new_url(cfa), form_data(cfa)).content.decode()
    assert html.count("has passed: submissions can no longer be changed.") == 1
    assert 'data-testid="typed"' in html and Submission.objects.count() == 0


def test_edit_posted_after_the_deadline_changes_nothing(client, cfa, ada):
    submission = own_submission(cfa, ada, title="As submitted")
    assert client.get(reverse("submissions:edit", args=[submission.pk])).status_code == 200
    close(cfa)  # the form was open in the browser while the deadline passed
    response = client.post(
        reverse("submissions:edit", args=[submission.pk]),
        form_data(cfa, title="Changed too late"),
        follow=True,
    )
    assert response.status_code == 200
    assert "has passed: submissions can no longer be changed." in response.content.decode()
    submission.refresh_from_db()
    assert submission.title == "As submitted"


def test_detail_is_read_only_after_the_deadline(client, cfa, ada):
    submission = own_submission(cfa, ada)
    close(cfa)
    html = client.get(submission.get_absolute_url()).content.decode()
    assert 'data-testid="read-only"' in html
    assert reverse("submissions:edit", args=[submission.pk]) not in html
    assert reverse("submissions:withdraw", args=[submission.pk]) not in html
    edit = client.get(reverse("submissions:edit", args=[submission.pk]))
    assert edit.status_code == 302


def test_withdraw_after_the_deadline_is_refused(client, cfa, ada):
    submission = own_submission(cfa, ada)
    close(cfa)
    response = client.post(reverse("submissions:withdraw", args=[submission.pk]), follow=True)
    assert "has passed" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_edit_after_a_decision_is_refused(client, cfa, ada):
    submission = own_submission(cfa, ada, title="Decided")
    services.decide_submission(submission=submission, decision="poster")
    response = client.post(
        reverse("submissions:edit", args=[submission.pk]), form_data(cfa, title="New"), follow=True
    )
    assert "A decision has been made on this submission" in response.content.decode()
    submission.refresh_from_db()
    assert submission.title == "Decided"


def test_edit_and_withdraw_before_the_deadline(client, cfa, ada):
    submission = own_submission(cfa, ada, title="First title")
    page = client.get(reverse("submissions:edit", args=[submission.pk]))
    assert 'value="First title"' in page.content.decode()
    response = client.post(
        reverse("submissions:edit", args=[submission.pk]), form_data(cfa, title="Better title")
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.title == "Better title"
    assert client.get(reverse("submissions:withdraw", args=[submission.pk])).status_code == 200
    client.post(reverse("submissions:withdraw", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WITHDRAWN


# --- what the page shows --------------------------------------------------------------------


def test_abstract_markdown_is_sanitized_on_the_detail_page(client, cfa, ada):
    submission = own_submission(
        cfa,
        ada,
        abstract=(
            "We *study* this.\n\n<script>alert('x')</script>\n\n"
            '<img src="x" onerror="alert(1)">\n\n[click](javascript:alert(2))'
        ),
    )
    html = client.get(submission.get_absolute_url()).content.decode()
    assert "<em>study</em>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    # CommonMark makes no link of a javascript: URL: it stays the text it was.
    assert "<p>[click](javascript:alert(2))</p>" in html
    assert 'href="javascript' not in html


def test_the_owner_downloads_the_pdf_as_an_attachment(client, cfa, ada):
    submission = own_submission(cfa, ada, pdf=ContentFile(PDF, name="x.pdf"))
    response = client.get(reverse("submissions:pdf", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_no_pdf_or_a_lost_file_is_404(client, cfa, ada):
    without = own_submission(cfa, ada)
    assert client.get(reverse("submissions:pdf", args=[without.pk])).status_code == 404
    lost = own_submission(cfa, ada, pdf=ContentFile(PDF, name="x.pdf"))
    lost.pdf.storage.delete(lost.pdf.name)
    assert client.get(reverse("submissions:pdf", args=[lost.pk])).status_code == 404


def test_submitted_pdfs_are_never_served_as_media_even_in_debug(settings, rf, tmp_path):
    import config.urls

    (tmp_path / "submissions" / "1").mkdir(parents=True)
    (tmp_path / "submissions" / "1" / "secret.pdf").write_bytes(PDF)
    (tmp_path / "speakers").mkdir()
    (tmp_path / "speakers" / "ada.png").write_bytes(b"png")
    settings.DEBUG = True
    try:
        serve = importlib.reload(config.urls).serve_public_media
        for path in (
            "submissions/1/secret.pdf",
            "speakers/../submissions/1/secret.pdf",
            "/submissions/1/secret.pdf",
            "./submissions/1/secret.pdf",
        ):
            with pytest.raises(Http404):
                serve(rf.get("/media/x"), path)
        assert serve(rf.get("/media/x"), "speakers/ada.png").status_code == 200
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_each_author_says_whether_they_get_the_decision_by_mail(client, cfa, ada):
    authors = [
        {"name": "Ada Lovelace", "email": "ada@example.org", "wants_mail": "on"},
        {"name": "Grace Hopper", "email": "grace@example.org"},  # unticked
    ]
    page = client.get(new_url(cfa)).content.decode()
    assert 'name="authors-0-wants_mail"' in page and "checked" in page  # ticked by default
    assert client.post(new_url(cfa), form_data(cfa, authors=authors)).status_code == 302
    assert [a.wants_mail for a in Submission.objects.get().authors.all()] == [True, False]


# --- after the decision: what the author's page says ------------------------------------------


def test_an_accepted_speakers_page_follows_the_outcome_to_the_released_slot(client, cfa, ada):
    from schedule import services as schedule_services
    from schedule.models import Room

    submission = own_submission(cfa, ada, status=Submission.Status.SUBMITTED)
    AuthorFactory(submission=submission, name="Ada Lovelace", email=ada.email, is_presenter=True)
    review = ReviewFactory(
        assignment=ReviewAssignmentFactory(submission=submission),
        comments_to_authors="Lovely work.\nPlease add a figure.",
    )
    page = lambda: client.get(submission.get_absolute_url()).content.decode()  # noqa: E731
    services.decide_submission(submission=submission, decision="talk")
    assert 'data-testid="outcome"' not in page()  # decided, not yet told: nothing shows

    services.notify_authors(submissions=Submission.objects.all())
    told = page()
    assert "Decision: Accepted as talk" in told
    assert emails.confirmation_url_path(submission) in told  # the confirm link
    assert "Lovely work.<br>Please add a figure." in told  # released with the decision mail
    assert review.assignment.reviewer.user.email not in told

    submission = services.confirm_participation(submission=submission)
    confirmed = page()
    assert "You confirmed that you will present it" in confirmed
    assert emails.confirmation_url_path(submission) not in confirmed
    assert "Not on the published schedule yet." in confirmed

    workshop = cfa.workshop
    workshop.schedule_status = workshop.ScheduleStatus.TENTATIVE
    workshop.save()
    item = submission.schedule_item
    room = Room.objects.create(workshop=workshop, name="Amphi A")
    start = workshop.local_datetime(workshop.start_date, dt.time(11, 30))
    item.start, item.end, item.room = start, start + dt.timedelta(minutes=30), room
    item.save()
    assert "Not on the published schedule yet." in page()  # placed, not released
    schedule_services.release_if_changed(workshop)

    released = page()
    assert "11:30–12:00, Amphi A" in released
    assert f'href="/workshops/{workshop.slug}/schedule/{item.pk}/"' in released
    assert client.get(f"/workshops/{workshop.slug}/schedule/{item.pk}/").status_code == 200


def test_a_rejected_authors_page_says_so_with_the_reviews(client, cfa, ada):
    submission = own_submission(cfa, ada, status=Submission.Status.SUBMITTED)
    ReviewFactory(
        assignment=ReviewAssignmentFactory(submission=submission),
        comments_to_authors="Out of scope.",
    )
    services.decide_submission(submission=submission, decision="reject")
    services.notify_authors(submissions=Submission.objects.all())
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Decision: Rejected" in page and "Out of scope." in page
    assert "Confirm or decline" not in page

"""Hostile posts to the call for abstracts: a new submission with its authors (and the row
buttons), editing, withdrawing, a reviewer's form, and the accepted authors' confirm/decline
link."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import assume, event, given, strategies as st

from submissions import services
from submissions.review_forms import CONFIDENCES, SCORES
from submissions.tokens import confirmation_token
from tests.factories import TopicFactory, UserFactory, WorkshopFactory
from tests.security.fuzzing import (
    Endpoint,
    added,
    assert_refused,
    changes,
    database_state,
    fuzz,
    fuzz_environment,  # noqa: F401 (a fixture)
    last,
    posts,
    request_level_tests,
    rolled_back,
    send,
)
from tests.security.hostile import hostile_text, numeric_text, uploads
from tests.submissions.factories import (
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    SubmissionFactory,
)
from tests.submissions.pdfs import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fuzz_environment")]

ROW_BUTTONS = ["add", "up-1", "down-0", "remove-0", "remove-1", "up-29", "remove-"]


@pytest.fixture
def cfa():
    workshop = WorkshopFactory(slug="cfa-fuzz")
    cfa = CallForAbstractsFactory(workshop=workshop, pdf_upload="optional", pdf_max_mb=1)
    services.ensure_submission_types(workshop)
    TopicFactory(workshop=workshop, name="Adapters")
    return cfa


@pytest.fixture
def ada():
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    client = Client()
    client.force_login(user)
    user.client = client
    return user


def valid_submission(cfa) -> dict:
    workshop = cfa.workshop
    return {
        "title": "Adapters of low rank",
        "abstract": "We study **low-rank** adapters.",
        "type": workshop.submission_types.first().pk,
        "topic": workshop.topics.first().pk,
        "action": "submit",
        "authors-TOTAL_FORMS": "2",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "1",
        "authors-MAX_NUM_FORMS": "30",
        "authors-0-name": "Ada Lovelace",
        "authors-0-email": "ada@example.org",
        "authors-0-is_presenter": "on",
        "authors-1-name": "Grace Hopper",
        "authors-1-email": "grace@example.org",
        "authors-1-affiliation": "Navy",
    }


actions = st.one_of(
    st.just("submit"),
    st.just("draft"),
    st.sampled_from(ROW_BUTTONS),
    st.tuples(st.sampled_from(["up", "down", "remove"]), st.one_of(numeric_text, hostile_text)).map(
        "-".join
    ),
    hostile_text,
)
pdfs = st.one_of(
    st.none(),
    uploads,
    st.just(0).map(lambda _: SimpleUploadedFile("paper.pdf", pdf_bytes(), "application/pdf")),
)


def submission_posts(cfa):
    extra = ("pdf", "remove_pdf", "authors-2-name", "authors-2-email", "authors-1-email")
    return st.tuples(posts(valid_submission(cfa), extra=extra), actions, pdfs).map(
        lambda t: {**t[0], "action": t[1]} | ({"pdf": t[2]} if t[2] is not None else {})
    )


def assert_saved(post: dict, delta: dict, after: dict, pk: int) -> None:
    """The submission as posted, its authors replaced, co-authors perhaps told: nothing else."""
    event("saved")
    assert set(delta) <= {"submissions.Submission", "submissions.Author", "outbox.OutgoingMail"}
    assert not delta.get("outbox.OutgoingMail", {}).get("changed")
    saved = after["submissions.Submission"][pk]
    assert saved["title"] == last(post, "title").strip()
    assert saved["abstract"] == last(post, "abstract").strip()
    assert saved["status"] == ("submitted" if last(post, "action") == "submit" else saved["status"])
    authors = sorted(
        (a for a in after["submissions.Author"].values() if a["submission_id"] == pk),
        key=lambda a: a["order"],
    )
    assert authors and authors[0]["name"] == last(post, "authors-0-name", "").strip()
    assert len({a["email"].lower() for a in authors}) == len(authors)


@fuzz(50)
@given(data=st.data())
def test_new_submission_refuses_or_saves_one_submission_with_its_authors(cfa, ada, data):
    post = data.draw(submission_posts(cfa))
    url = reverse("submissions:new", args=[cfa.workshop.slug])
    with rolled_back():
        before = database_state()
        response = send(ada.client, url, post)
        after = database_state()
        delta = changes(before, after)
        if response.status_code != 302:
            if last(post, "action", "").partition("-")[0] in ("add", "up", "down", "remove"):
                assert response.status_code == 200 and delta == {}  # rows moved, nothing saved
            else:
                assert_refused(response, before, after, post)
            return
        (submission,) = added(delta, after, "submissions.Submission")
        assert response.url == reverse("submissions:detail", args=[submission["id"]])
        assert not delta["submissions.Submission"]["changed"]
        assert not delta["submissions.Submission"]["removed"]
        assert submission["submitter_id"] == ada.pk
        assert_saved(post, delta, after, submission["id"])


@pytest.mark.parametrize("action", ["up-²", "down-①", "remove-" + "9" * 5000])
def test_row_buttons_with_digits_int_refuses_move_nothing(cfa, ada, action):
    """Found by the fuzzing: str.isdigit() took these for row numbers, int() did not (500)."""
    post = {**valid_submission(cfa), "action": action}
    before = database_state()
    response = send(ada.client, reverse("submissions:new", args=[cfa.workshop.slug]), post)
    assert response.status_code == 200
    assert [f["name"] for f in response.context["authors"].initial] == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert changes(before, database_state()) == {}


@pytest.fixture
def own(cfa, ada):
    return SubmissionFactory(
        workshop=cfa.workshop,
        submitter=ada,
        type=cfa.workshop.submission_types.first(),
        authors=[("Grace Hopper", "grace@example.org")],
    )


@fuzz(40)
@given(data=st.data())
def test_editing_refuses_or_changes_only_that_submission(cfa, ada, own, data):
    post = data.draw(submission_posts(cfa))
    url = reverse("submissions:edit", args=[own.pk])
    with rolled_back():
        before = database_state()
        response = send(ada.client, url, post)
        after = database_state()
        delta = changes(before, after)
        if response.status_code != 302:
            if last(post, "action", "").partition("-")[0] in ("add", "up", "down", "remove"):
                assert response.status_code == 200 and delta == {}
            else:
                assert_refused(response, before, after, post)
            return
        assert response.url == reverse("submissions:detail", args=[own.pk])
        assert delta["submissions.Submission"] == {
            "added": set(),
            "removed": set(),
            "changed": {own.pk},
        }
        assert_saved(post, delta, after, own.pk)


@fuzz(15)
@given(post=posts({"confirm": "yes"}, extra=("status", "submission", "pk")))
def test_withdrawing_changes_only_the_status(ada, own, post):
    with rolled_back():
        before = database_state()
        response = send(ada.client, reverse("submissions:withdraw", args=[own.pk]), post)
        after = database_state()
        assert response.status_code == 302
        assert changes(before, after) == {
            "submissions.Submission": {"added": set(), "removed": set(), "changed": {own.pk}}
        }
        assert after["submissions.Submission"][own.pk]["status"] == "withdrawn"


@fuzz(25)
@given(pk=st.integers(min_value=-(2**70), max_value=2**70), post=posts({"action": "submit"}))
def test_anybody_elses_or_no_submission_is_404(ada, own, pk, post):
    assume(pk != own.pk)
    with rolled_back():
        target = SubmissionFactory(workshop=own.workshop).pk if pk % 2 else pk
        before = database_state()
        for name in ("edit", "withdraw"):
            response = send(ada.client, f"/submissions/{target}/{name}/", post)
            assert response.status_code == 404
        assert changes(before, database_state()) == {}


@pytest.fixture
def assignment(cfa):
    member = CommitteeMemberFactory(workshop=cfa.workshop, user__email="reviewer@example.org")
    assignment = ReviewAssignmentFactory(
        submission=SubmissionFactory(workshop=cfa.workshop), reviewer=member
    )
    client = Client()
    client.force_login(assignment.reviewer.user)
    assignment.client = client
    return assignment


def review_posts():
    valid = {
        "score": "1",
        "confidence": "4",
        "comments_to_authors": "Clear; please add a baseline.",
        "confidential_comments": "Borderline.",
    }
    choices = st.sampled_from([str(s) for s, _ in SCORES] + [str(c) for c, _ in CONFIDENCES])
    return st.one_of(posts(valid), st.fixed_dictionaries({"score": choices, "confidence": choices}))


@fuzz(40)
@given(post=review_posts())
def test_review_form_refuses_or_saves_that_reviewers_review(assignment, post):
    url = reverse("reviews:detail", args=[assignment.pk])
    with rolled_back():
        before = database_state()
        response = send(assignment.client, url, post)
        after = database_state()
        if response.status_code != 302:
            assert_refused(response, before, after, post)
            return
        delta = changes(before, after)
        assert set(delta) == {"submissions.Review"}
        (review,) = added(delta, after, "submissions.Review")
        assert review["assignment_id"] == assignment.pk
        assert review["score"] == int(last(post, "score"))
        assert review["confidence"] == int(last(post, "confidence"))
        assert review["comments_to_authors"] == (last(post, "comments_to_authors") or "").strip()


@pytest.fixture
def accepted(cfa):
    submission = SubmissionFactory(
        workshop=cfa.workshop, decision="talk", decided_at=timezone.now()
    )
    submission.notified_at = timezone.now() - dt.timedelta(hours=1)
    submission.save()
    return submission


@fuzz(30)
@given(
    post=st.one_of(
        st.fixed_dictionaries({"action": st.sampled_from(["confirm", "decline"])}),
        posts({"action": "confirm"}),
    )
)
def test_confirm_or_decline_link_records_only_that_answer(accepted, post):
    url = reverse(
        "submissions:confirm", args=[accepted.pk, confirmation_token.make_token(accepted)]
    )
    with rolled_back():
        before = database_state()
        response = send(Client(), url, post)
        after = database_state()
        assert response.status_code == 302 and response.url == url
        answer = after["submissions.Submission"][accepted.pk]["confirmation"]
        action = last(post, "action")
        expected = {"confirm": "confirmed", "decline": "declined"}.get(action, "")
        assert answer == expected
        delta = changes(before, after)
        if not expected:
            assert delta == {}
        else:
            assert delta["submissions.Submission"]["changed"] == {accepted.pk}
            assert not delta["submissions.Submission"]["added"]


@fuzz(25)
@given(token=hostile_text, action=st.sampled_from(["confirm", "decline"]))
def test_forged_confirm_links_are_404(accepted, token, action):
    url = f"/submissions/{accepted.pk}/confirm/{quote(token, safe='')}/"
    with rolled_back():
        before = database_state()
        response = send(Client(), url, {"action": action})
        assert response.status_code == 404
        assert changes(before, database_state()) == {}


@pytest.fixture
def endpoints(cfa, ada, own, assignment, accepted) -> dict[str, Endpoint]:
    review = {"score": "2", "confidence": "4", "comments_to_authors": "Fine."}
    token = confirmation_token.make_token(accepted)
    return {
        "new": Endpoint(
            reverse("submissions:new", args=[cfa.workshop.slug]), valid_submission(cfa), ada
        ),
        "edit": Endpoint(reverse("submissions:edit", args=[own.pk]), valid_submission(cfa), ada),
        "withdraw": Endpoint(reverse("submissions:withdraw", args=[own.pk]), {}, ada),
        "review": Endpoint(
            reverse("reviews:detail", args=[assignment.pk]), review, assignment.reviewer.user
        ),
        "confirm": Endpoint(
            reverse("submissions:confirm", args=[accepted.pk, token]), {"action": "confirm"}
        ),
    }


NAMES = ["new", "edit", "withdraw", "review", "confirm"]


(
    test_forged_or_missing_csrf_token_is_403_and_saves_nothing,
    test_the_genuine_csrf_token_is_accepted,
    test_garbled_bodies_are_refused_cleanly,
) = request_level_tests(NAMES)

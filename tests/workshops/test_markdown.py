"""Markdown is rendered once, when the text is saved, within bounds no text can pass.

Python-Markdown took over 30 s on an abstract of 12,000 "[" (its time grew with the square of
such inputs); two page views stalled both gunicorn workers. These tests fill every Markdown field
to its maximum length with the inputs that were slow and check that saving and every page that
shows them answer within a second of CPU time (the thread's own: CI runs two suites and a
browser on two cores, so wall time would measure the neighbours).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse

from schedule import services
from schedule.models import ScheduleItem, ScheduleRelease
from submissions.models import Submission
from tests.factories import (
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    TopicFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.submissions.factories import (
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    SubmissionFactory,
)
from workshops.markdown import MAX_RUN, render_markdown
from workshops.models import Series, SpeakerProfile, Topic, Workshop

# Runs of one mark, and the repeated short patterns that made Python-Markdown scan to the end
# of the text from every opening bracket.
PATHOLOGICAL = [
    "[", "!", "*", "_", "^", "`", "<", "[a", "![", "[](", "![a](", "[^", "[[]", "<a ",
    "**_", "a\n: b\n", "> " * 10 + "a\n", "[a]: b\n",
]  # fmt: skip


@contextmanager
def cpu_seconds() -> Iterator[list[float]]:
    """Measure this thread's CPU time for the block, the garbage collector kept out: a full
    collection of the test run's heap (thousands of tests' objects) costs up to a second, which
    measures the suite, not the renderer (a web worker's heap is a fraction of it)."""
    spent: list[float] = []
    gc.collect()
    gc.disable()
    started = time.thread_time()
    try:
        yield spent
    finally:
        spent.append(time.thread_time() - started)
        gc.enable()


def fill(pattern: str, length: int) -> str:
    return (pattern * (length // len(pattern) + 1))[:length]


def max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def test_markdown_is_rendered_and_sanitized():
    html = render_markdown(
        "Use *emphasis*, **strong** and `code`.\n\n<script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(1)"> [bad](javascript:alert(2)) [good](https://example.org)'
        "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~"
    )
    assert "<em>emphasis</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<script" not in html and "alert(1)" not in html and "onerror" not in html
    assert 'href="javascript' not in html  # left as the text it was
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">good</a>' in html
    assert "<td>1</td>" in html
    assert "<s>gone</s>" in html


def test_an_empty_text_renders_to_nothing():
    assert render_markdown("") == ""
    assert render_markdown(" \n\n ") == ""


def test_a_long_run_of_one_mark_is_text():
    html = render_markdown("*" * (MAX_RUN + 1) + " not a list " + "[" * 40)
    assert html == f"<p>{'*' * (MAX_RUN + 1)} not a list {'[' * 40}</p>\n"


def test_a_render_past_its_budget_is_escaped_plain_text():
    html = render_markdown("**bold** <b>tag</b>\n\nsecond", budget=0)
    assert html == "<p>**bold** &lt;b&gt;tag&lt;/b&gt;</p>\n\n<p>second</p>"


@pytest.mark.django_db
def test_the_html_is_stored_when_the_row_is_saved():
    workshop = WorkshopFactory(description="Welcome **all**.")
    assert Workshop.objects.get(pk=workshop.pk).description_html == (
        "<p>Welcome <strong>all</strong>.</p>\n"
    )
    workshop.description = "Now *this*."
    workshop.save()
    assert Workshop.objects.get(pk=workshop.pk).description_html == "<p>Now <em>this</em>.</p>\n"


@pytest.mark.django_db
def test_bulk_create_stores_the_html_too():
    (profile,) = SpeakerProfile.objects.bulk_create([SpeakerProfile(name="A", bio="*Hi*")])
    assert SpeakerProfile.objects.get(pk=profile.pk).bio_html == "<p><em>Hi</em></p>\n"


def test_every_markdown_field_has_a_maximum_length_that_its_form_checks():
    for model, field in [
        (Series, "description"),
        (Workshop, "description"),
        (Topic, "description"),
        (SpeakerProfile, "bio"),
        (ScheduleItem, "abstract"),
        (ScheduleRelease, "notes"),
        (Submission, "abstract"),
    ]:
        model_field = model._meta.get_field(field)
        assert model_field.max_length, f"{model.__name__}.{field}"
        assert model_field.formfield().max_length == model_field.max_length


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_a_pathological_text_at_the_maximum_length_renders_in_under_a_second(pattern):
    for length in {max_length(Workshop, "description"), max_length(Submission, "abstract")}:
        text = fill(pattern, length)
        with cpu_seconds() as spent:
            render_markdown(text)
        assert spent[0] < 1, (pattern, length, spent)


def timed_get(client, url: str):
    with cpu_seconds() as spent:
        response = client.get(url)
    return response, spent[0]


def workshop_full_of(pattern: str):
    """A published workshop whose every Markdown text is ``pattern`` at its maximum length:
    description, topic, bio, item abstract, release notes, a submission under review."""
    workshop = WorkshopFactory(description=fill(pattern, max_length(Workshop, "description")))
    TopicFactory(workshop=workshop, description=fill(pattern, max_length(Topic, "description")))
    appearance = SpeakerAppearanceFactory(
        workshop=workshop, speaker__bio=fill(pattern, max_length(SpeakerProfile, "bio"))
    )
    item = ScheduleItemFactory(
        workshop=workshop,
        abstract=fill(pattern, max_length(ScheduleItem, "abstract")),
        speakers=[appearance.speaker],
    )
    services.publish_schedule(
        workshop=workshop,
        version="v1",
        status="tentative",
        notes=fill(pattern, max_length(ScheduleRelease, "notes")),
        notify=False,
    )
    submission = SubmissionFactory(
        workshop=workshop, abstract=fill(pattern, max_length(Submission, "abstract"))
    )
    reviewer = UserFactory()
    ReviewAssignmentFactory(
        submission=submission,
        reviewer=CommitteeMemberFactory(workshop=workshop, user=reviewer),
    )
    return workshop, item, submission, reviewer


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ["[", "![a](", "<a "])
def test_every_page_with_pathological_markdown_answers_in_under_a_second(client, pattern):
    with cpu_seconds() as spent:
        workshop, item, submission, reviewer = workshop_full_of(pattern)
    # Six texts at their maximum length, each rendered once as it was saved.
    assert spent[0] < 6, spent

    public = [
        reverse("workshops:home"),
        workshop.get_absolute_url(),
        reverse("schedule:speakers", args=[workshop.slug]),
        reverse("schedule:schedule", args=[workshop.slug]),
        reverse("schedule:schedule_item", args=[workshop.slug, item.pk]),
        reverse("schedule:schedule_changes", args=[workshop.slug]),
    ]
    for url in public:
        response, seconds = timed_get(client, url)
        assert response.status_code == 200, url
        assert seconds < 1, (url, seconds)
    client.force_login(submission.submitter)
    response, seconds = timed_get(client, submission.get_absolute_url())
    assert response.status_code == 200 and seconds < 1, seconds
    client.force_login(reviewer)
    assignment = submission.assignments.get()
    response, seconds = timed_get(client, reverse("reviews:detail", args=[assignment.pk]))
    assert response.status_code == 200 and seconds < 1, seconds


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ["[", "![a]("])
def test_the_profile_form_saves_a_pathological_bio_in_under_a_second(client, pattern):
    user = UserFactory()
    client.force_login(user)
    bio = fill(pattern, max_length(SpeakerProfile, "bio"))
    with cpu_seconds() as spent:
        response = client.post(
            reverse("accounts:profile"), {"name": "Ada Lovelace", "bio": bio, "orcid": ""}
        )
    assert spent[0] < 1, spent
    assert response.status_code == 302
    assert SpeakerProfile.objects.get(user=user).bio_html.startswith("<p>")

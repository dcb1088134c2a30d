"""Factories for the call for abstracts, submissions, authors and the committee."""

import datetime as dt

import factory
from django.utils import timezone

from submissions.models import (
    Author,
    CallForAbstracts,
    CommitteeMember,
    Review,
    ReviewAssignment,
    Submission,
    SubmissionType,
)
from tests.factories import UserFactory, WorkshopFactory
from workshops.timezones import AOE


class CallForAbstractsFactory(factory.django.DjangoModelFactory):
    """An open call: opened yesterday, closes in ten days (AoE)."""

    class Meta:
        model = CallForAbstracts

    workshop = factory.SubFactory(WorkshopFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    deadline_zone = AOE
    word_limit = 300


class SubmissionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmissionType
        django_get_or_create = ("workshop", "name")

    workshop = factory.SubFactory(WorkshopFactory)
    name = "Talk"


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submitted abstract with its submitter as first author (``authors=[...]`` for more)."""

    class Meta:
        model = Submission
        skip_postgeneration_save = True

    workshop = factory.SubFactory(WorkshopFactory)
    submitter = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Low-rank adapters, part {n}")
    abstract = "We study **low-rank** structure in deep networks."
    type = factory.LazyAttribute(lambda o: SubmissionTypeFactory(workshop=o.workshop))
    status = Submission.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        """Add the submitter as first author, then ``extracted`` as (name, email) pairs or dicts."""
        if not create:
            return
        rows = [
            {
                "name": self.submitter.full_name or self.submitter.email,
                "email": self.submitter.email,
                "is_presenter": True,
            }
        ]
        for extra in extracted or []:
            rows.append(extra if isinstance(extra, dict) else {"name": extra[0], "email": extra[1]})
        for order, row in enumerate(rows):
            AuthorFactory(submission=self, order=order, **row)


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    submission = factory.SubFactory(SubmissionFactory, authors=[])
    order = 0
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"author{n}@example.org")
    affiliation = "Université de Lorraine"


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMember
        skip_postgeneration_save = True

    workshop = factory.SubFactory(WorkshopFactory)
    user = factory.SubFactory(UserFactory)
    affiliation = "Inria"
    max_load = 10

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.add(*extracted)


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """A reviewer of the submission's own workshop, without a conflict of interest."""

    class Meta:
        model = ReviewAssignment

    submission = factory.SubFactory(SubmissionFactory)
    reviewer = factory.LazyAttribute(
        lambda o: CommitteeMemberFactory(workshop=o.submission.workshop)
    )


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(ReviewAssignmentFactory)
    score = 1
    confidence = 3
    comments_to_authors = "Clear and well motivated."
    confidential_comments = "Borderline for a talk."

"""What a release looks like to the public, rendered once: each page and export as bytes."""

from __future__ import annotations

from django.db import models

from workshops.models import ScheduleRelease


class ReleaseArtifact(models.Model):
    """One page or export of a release, as it is sent: rendered by the worker when the
    release is published (and again when what frames it changes: the workshop's title, its
    nav), never by a request.

    ``name`` is what the views ask for: ``page``, ``changes``, ``block`` (the schedule on the
    workshop page), ``item:<id>``, ``item:<id>.ics``, ``schedule.xml`` and the other exports.
    A page's ``body`` is the whole page as an anonymous visitor gets it, and ``fragment`` its
    content, for visitors with a session, whose account menu and messages are their own.
    """

    release = models.ForeignKey(ScheduleRelease, on_delete=models.CASCADE, related_name="artifacts")
    name = models.CharField(max_length=40)
    content_type = models.CharField(max_length=60)
    body = models.BinaryField()
    body_gzip = models.BinaryField()
    fragment = models.TextField(blank=True)
    title = models.TextField(blank=True)  # an item's title and the workshop's: no bound here
    # What framed the page when it was rendered (rendering.frame_key): one that no longer
    # matches is not served, even if the worker has not rendered again yet.
    frame = models.CharField(max_length=200, blank=True)
    etag = models.CharField(max_length=80)
    # The static files' manifest the page links (a deploy with new assets renders again).
    static_version = models.CharField(max_length=80, blank=True)
    rendered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="unique_artifact_per_release"),
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.name}"

"""Qing Qu's lecture course (seed 001)."""

from __future__ import annotations

from inspect import cleandoc

from demo.upsert import (
    Kind,
    Person,
    Role,
    Slot,
    hours,
    set_schedule,
    set_speakers,
    upsert_workshop,
)
from workshops.models import (
    Workshop,
)

QU = Person("Qing Qu", "EECS, University of Michigan")


QU_DESCRIPTION = cleandoc(
    """
    The course starts from the success of deep learning (computer vision, gameplay, natural
    language processing, autonomous driving) and the trend of large models: about 23 million
    parameters in ResNet-50 for about 1 million samples in ImageNet. In principle, a deep network
    can fit any training labels (not only clean, but also corrupted labels).

    Large models bring challenges and opportunities: a tremendous cost of computation, they are
    difficult to interpret and vulnerable to data corruptions. What are the theory and principles
    behind their success? Low-dimensional structures, well studied in nonconvex optimization
    (sparse recovery, low-rank matrix recovery, (sparse) phase retrieval, super-resolution,
    (sparse) blind deconvolution, (convolutional) dictionary learning), are largely ignored; the
    course follows the emergence of low-dimensional models in deep learning.
    """
)


QU_LECTURES = (
    Slot(
        Kind.LECTURE,
        "Low-dimensional Models & Nonconvex Optimization",
        speakers=(QU.name,),
        duration=hours(1),
    ),
    Slot(
        Kind.LECTURE,
        "Low-dimensional Representations in Deep Learning I: Neural Collapse",
        speakers=(QU.name,),
        duration=hours(1),
    ),
    Slot(
        Kind.LECTURE,
        "Low-dimensional Representations in Deep Learning II: Law-of-Parsimony in GD",
        speakers=(QU.name,),
        duration=hours(1.5),
    ),
    Slot(
        Kind.LECTURE,
        "Low-dimensional Models for Robust Learning",
        speakers=(QU.name,),
        duration=hours(0.5),
    ),
)


def load_qu_lecture_course() -> Workshop:
    """Upsert Qing Qu's four-lecture course on low-dimensional models in deep learning."""
    workshop = upsert_workshop(
        slug="emergence-of-low-dim-models-in-deep-learning",
        kind=Workshop.Kind.LECTURE_SERIES,
        title="The Emergence of Low-Dim Models in Deep Learning",
        tagline="Four lectures by Qing Qu (EECS, University of Michigan).",
        description=QU_DESCRIPTION,
    )
    speakers = set_speakers(workshop, [QU], role=Role.LECTURER)
    set_schedule(workshop, QU_LECTURES, speakers=speakers)
    return workshop

"""Mathematics of Modern Machine Learning (seed 002): topics, no dates or people."""

from __future__ import annotations

from inspect import cleandoc

from demo.upsert import (
    TopicData,
    set_topics,
    upsert_workshop,
)
from workshops.models import (
    Workshop,
)

MOML_DESCRIPTION = cleandoc(
    """
    Deep learning has demonstrated tremendous success in the past decade, sparking a revolution
    in artificial intelligence.

    However, the modern practice of deep learning remains largely an art form, requiring a
    delicate combination of guesswork and careful hyperparameter tuning. This can be attributed
    to the fact that classical machine learning theory fails to explain many deep learning
    phenomena, which inhibits its ability to provide effective guidance in practice.

    As we enter the large model era of deep learning, this issue becomes even more critical since
    trial and error with billion- or trillion-size models can result in enormous costs of time
    and computation. There is a greater need than ever before for theory that can guide practice
    and provide principled ways to train large models.

    This workshop solicits contributions that bridge the gap between deep learning theory and the
    modern practice of deep learning in an effort to build a mathematical theory of machine
    learning that can both explain and inspire modern practice. We welcome new mathematical
    analyses that bridge the gap between existing theory and modern practice, as well as
    empirical findings that challenge existing theories and offer avenues for future theoretical
    investigations.
    """
)


MOML_TOPICS = (
    TopicData(
        "Reconciling Optimization Theory with Deep Learning Practice",
        subtopics=(
            TopicData(
                "Convergence analysis beyond the stable regime",
                "How do optimization methods minimize training losses despite large learning "
                "rates and large gradient noise? How should we understand the Edge of Stability "
                "(EoS) phenomenon? What could be more realistic assumptions for the loss "
                "landscape and gradient noise that foster training algorithms with faster "
                "convergence both in theory and practice?",
            ),
            TopicData(
                "Continuous approximations of training trajectories",
                "Can we obtain insights into the discrete-time gradient dynamics by "
                "approximating them with a continuous counterpart, e.g., gradient flow or SDE? "
                "When is such an approximation valid?",
            ),
            TopicData(
                "Advanced optimization algorithms",
                "adaptive gradient algorithms, second-order algorithms, distributed training "
                "algorithms, etc.",
            ),
        ),
    ),
    TopicData(
        "Generalization for Overparametrized Models",
        subtopics=(
            TopicData(
                "Implicit bias",
                "What implicit bias do training algorithms have? How do gradient-based "
                "algorithms implicitly pick the solution with good generalization despite the "
                "existence of non-generalizing minimizers?",
            ),
            TopicData(
                "Generalization Measures",
                "What is the relationship between generalization performances and common "
                "generalization measures? (e.g., sharpness, margin, norm, etc.) Can we prove "
                "non-vacuous generalization bounds based on these generalization measures?",
            ),
            TopicData(
                "Roles of Key Components in Algorithm and Architecture",
                # The seed's “decayï¼Œ” is a full-width comma read as Latin-1: a plain comma.
                "What are the roles of initialization, learning rate warmup and decay, and "
                "normalization layers?",
            ),
            TopicData(
                "Intriguing Generalization Phenomena",
                "Generalization despite overparameterization, double descent, benign "
                "overfitting, grokking, vulnerability to adversarial examples, etc.",
            ),
        ),
    ),
    TopicData(
        "Theory for Foundation Models/Pretrained Models",
        subtopics=(
            TopicData(
                "Pretraining",
                "What do foundation models learn in pretraining that allows for efficient "
                "finetuning? How does the choice of dataset/architecture affect this?",
            ),
            TopicData(
                "Multimodal Representations",
                "How can we learn representations from multimodal data?",
            ),
            TopicData(
                "Scaling laws",
                "How and why does the performance scale with data, compute, and model size?",
            ),
            TopicData(
                "Emergent Phenomena",
                "In-context learning capabilities, few-shot reasoning capabilities such as Chain "
                "of Thought (CoT), and improved robustness/calibration.",
            ),
            TopicData(
                "Adaptation of Pretrained Models",
                "Fine-tuning, prompting, in-context learning, instruction-tuning, RLHF, etc.",
            ),
        ),
    ),
    TopicData(
        "Provable Guarantees Beyond Supervised Learning Settings",
        subtopics=(
            TopicData(
                "Deep Reinforcement Learning",
                "How should we analyze the training dynamics of deep reinforcement learning "
                "algorithms?",
            ),
            TopicData(
                "Generative Models",
                "How do different generative modeling methods compare? What do we understand "
                "about the complexity and efficiency, and are there fundamental limitations?",
            ),
            TopicData(
                "Representation Learning and Transfer Learning",
                "What properties of the source and target tasks allow for efficient transfer "
                "learning? What types of representations can be learned via self-supervised "
                "learning (e.g., contrastive learning)",
            ),
            TopicData(
                "Continual Learning",
                "How do we adapt the model to new tasks while preserving the performance of old "
                "tasks?",
            ),
        ),
    ),
)


def load_moml() -> Workshop:
    """Upsert the Mathematics of Modern Machine Learning workshop and its topics."""
    workshop = upsert_workshop(
        slug="mathematics-of-modern-machine-learning",
        title="Mathematics of Modern Machine Learning",
        description=MOML_DESCRIPTION,
    )
    set_topics(workshop, MOML_TOPICS)
    return workshop

# The one image behind web, worker, beat and migrate (docker-compose.yml).

# Every locked dependency, exact versions and hashes checked, in a virtualenv the final image
# copies. PyICU has no wheel on PyPI: it builds here, against Debian's ICU, with a compiler the
# final image does without.
FROM python:3.11-slim-bookworm AS deps
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ pkg-config libicu-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock /tmp/
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock

FROM python:3.11-slim-bookworm

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# ICU's run-time library, the one PyICU was built against (bookworm's, as in the stage above).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libicu72 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, from the lock alone, so that a code change reuses this layer.
COPY --from=deps /opt/venv /opt/venv

COPY . .

# Static files are part of the image; the key only lets settings load and signs nothing.
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-0123456789abcdef \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p var/media var/private \
    && chown app:app var/media var/private

USER app
EXPOSE 8000
# Workers heartbeat through a file: in /dev/shm, not the image's overlay /tmp, where a slow
# disk makes the arbiter kill healthy workers (gunicorn's FAQ, "blocking OS calls"). No access
# log of gunicorn's own: it would print the secrets of signed links in their paths; nginx logs
# every request, redacted (deploy/nginx.conf), with the id the app's own lines carry.
CMD ["gunicorn", "config.wsgi", "-w", "3", "-b", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm"]

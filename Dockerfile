# The one image behind web, worker, beat and migrate (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change reuses this layer.
# [tool.setuptools] packages = [] makes this install the dependencies only.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

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
# disk makes the arbiter kill healthy workers (gunicorn's FAQ, "blocking OS calls").
CMD ["gunicorn", "config.wsgi", "-w", "3", "-b", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-"]

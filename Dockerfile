# Suara production image: gunicorn serves the site; the same image runs the Celery worker and beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings

# gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system suara \
    && useradd --system --gid suara --home-dir /app --shell /usr/sbin/nologin suara

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. pyproject.toml declares no
# packages: `pip install .` installs the runtime dependencies only (no test extras).
COPY pyproject.toml requirements.lock ./
RUN pip install . -c requirements.lock

COPY . .

# The key only lets settings load for these two commands; it is not kept in the image.
RUN SECRET_KEY=build-only-not-a-secret DEBUG=false HTTPS=false \
        python manage.py compilemessages \
    && SECRET_KEY=build-only-not-a-secret DEBUG=false HTTPS=false \
        python manage.py collectstatic --noinput

# The code stays owned by root and read-only for the app; only uploads are writable.
RUN mkdir -p /app/media && chown suara:suara /app/media

USER suara

EXPOSE 8000

CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi:application"]

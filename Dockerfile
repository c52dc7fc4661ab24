# Production image: the same steps make runs, in a slim Python 3.13.
# Not built in the development or CI environment (no Docker engine there); see README.

FROM python:3.13-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
# psycopg2 is compiled here against libpq, never taken as a binary wheel.
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /tmp/requirements.txt

FROM python:3.13-slim-bookworm
# WeasyPrint's system libraries (Pango, HarfBuzz subsetting) and libpq for psycopg2.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libpq5 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels
RUN useradd --create-home --uid 10001 app
WORKDIR /app
COPY --chown=app:app . /app
ENV DEBUG=0 PYTHONUNBUFFERED=1 MEDIA_ROOT=/app/var/media
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/var/media /app/var/cache && chown -R app:app /app/var
USER app
EXPOSE 8000
# Database roles (docs/operations.md): run `manage.py migrate_schemas` with DATABASE_URL set to the
# owner role; web and worker get the app role in DATABASE_URL, and the web DATABASE_OWNER_URL too.
# Workers and threads: trust_portal/gunicorn.py (WEB_WORKERS, WEB_THREADS).
CMD ["gunicorn", "trust_portal.wsgi:application", "--config", "python:trust_portal.gunicorn", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]

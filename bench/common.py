"""What the benchmark scripts share: their PostgreSQL database, Django set up for production's
code paths, percentiles."""

import os


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(database_url: str, **environment: str) -> None:
    """Django on ``database_url`` as in production (DEBUG off, so no query log is kept in
    memory), provider sync off, tasks kept in-process; ``environment`` adds settings."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="returns_portal.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-bench-only-secret-key-bench-only",  # noqa: S106
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        CELERY_BROKER_URL="memory://",
        SYNC_ENABLED="false",
        LOG_LEVEL="ERROR",
        **environment,
    )
    import django

    django.setup()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

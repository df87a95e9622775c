"""Settings read from the environment, checked in fresh processes with a controlled environment.

The suite itself may run with DATABASE_URL, CELERY_BROKER_URL and the like set (CI does), so
each check starts a new interpreter without them.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Everything the settings read that would change what a check sees.
SETTINGS_VARIABLES = {
    "ALLOWED_HOSTS",
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_CONN_MAX_AGE",
    "DATABASE_POOL",
    "DATABASE_POOL_MAX_SIZE",
    "DATABASE_POOL_MIN_SIZE",
    "DATABASE_URL",
    "DEBUG",
    "EMAIL_URL",
    "MEDIA_ROOT",
    "PROVIDERS_SANDBOX",
    "SECRET_KEY",
    "SECURE_PROXY_SSL_HEADER_NAME",
    "SECURE_SSL_REDIRECT",
    "STATIC_ROOT",
    "VAR_DIR",
}

PRINT_SETTINGS = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "VAR_DIR": str(settings.VAR_DIR),
    "ENGINE": database["ENGINE"],
    "NAME": str(database["NAME"]),
    "HOST": database.get("HOST", ""),
    "CONN_MAX_AGE": database.get("CONN_MAX_AGE", 0),
    "CONN_HEALTH_CHECKS": database.get("CONN_HEALTH_CHECKS", False),
    "OPTIONS": {k: v for k, v in database.get("OPTIONS", {}).items()},
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_BROKER_TRANSPORT_OPTIONS": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "PROVIDERS_SANDBOX": settings.PROVIDERS_SANDBOX,
    "SECURE_SSL_REDIRECT": getattr(settings, "SECURE_SSL_REDIRECT", False),
}))
"""


def _run(args, tmp_path, *, var_dir=True, **variables) -> subprocess.CompletedProcess:
    """Run ``python <args>`` from the project folder, with only the given settings variables."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "returns_portal.settings"
    if var_dir:
        env["VAR_DIR"] = str(tmp_path / "var")
    env.update(variables)
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _settings_seen(tmp_path, **variables) -> dict:
    result = _run(["-c", PRINT_SETTINGS], tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _production_key() -> str:
    return secrets.token_urlsafe(60)


# Production refuses to start without its secrets.

SETUP = ["-c", "import django; django.setup()"]


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = _run(SETUP, tmp_path, DEBUG="false", ALLOWED_HOSTS="returns.example.com")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    result = _run(SETUP, tmp_path, DEBUG="false", SECRET_KEY=_production_key())

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_with_empty_allowed_hosts_refuses_to_start(tmp_path):
    result = _run(SETUP, tmp_path, DEBUG="false", SECRET_KEY=_production_key(), ALLOWED_HOSTS="")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name at least one host" in result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="false",
        SECRET_KEY=_production_key(),
        ALLOWED_HOSTS="returns.example.com",
    )

    assert result.returncode == 0, result.stderr + result.stdout


def test_the_development_defaults_fail_the_deployment_checks(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)

    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on
    assert "security.W009" in result.stderr  # the development key


def test_production_never_implies_the_sandbox(tmp_path):
    seen = _settings_seen(
        tmp_path, DEBUG="false", SECRET_KEY=_production_key(), ALLOWED_HOSTS="example.com"
    )

    assert seen["DEBUG"] is False
    assert seen["PROVIDERS_SANDBOX"] is False
    assert seen["SECURE_SSL_REDIRECT"] is True


# The embedded default: nothing to install.


def test_with_nothing_set_the_project_runs_on_sqlite_and_a_filesystem_broker(tmp_path):
    # when
    seen = _settings_seen(tmp_path)

    # then
    var_dir = tmp_path / "var"
    assert seen["DEBUG"] is True
    assert seen["PROVIDERS_SANDBOX"] is True
    assert seen["ENGINE"] == "django.db.backends.sqlite3"
    assert seen["NAME"] == str(var_dir / "db.sqlite3")
    assert seen["CELERY_BROKER_URL"] == "filesystem://"
    options = seen["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert options["data_folder_in"].startswith(str(var_dir))
    assert (var_dir / "celery" / "broker").is_dir()


def test_the_sqlite_database_lets_the_web_server_worker_and_beat_share_it(tmp_path):
    options = _settings_seen(tmp_path)["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


def test_the_var_folder_defaults_to_var_in_the_project(tmp_path):
    seen = _settings_seen(tmp_path, var_dir=False)

    assert seen["VAR_DIR"] == str(settings.BASE_DIR / "var")
    assert seen["NAME"] == str(settings.BASE_DIR / "var" / "db.sqlite3")


# Production services.


def test_a_postgres_url_switches_to_postgresql_with_persistent_connections(tmp_path):
    seen = _settings_seen(tmp_path, DATABASE_URL="postgres://returns:secret@db.internal:5432/rp")

    assert seen["ENGINE"] == "django.db.backends.postgresql"
    assert (seen["NAME"], seen["HOST"]) == ("rp", "db.internal")
    assert seen["CONN_MAX_AGE"] > 0
    assert seen["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in seen["OPTIONS"]


def test_the_postgres_connection_pool_replaces_persistent_connections(tmp_path):
    seen = _settings_seen(
        tmp_path,
        DATABASE_URL="postgres://returns:secret@db.internal:5432/rp",
        DATABASE_POOL="true",
        DATABASE_POOL_MAX_SIZE="20",
    )

    assert seen["ENGINE"] == "django.db.backends.postgresql"
    assert seen["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20}
    assert seen["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize("broker", ["redis://cache.internal:6379/0", "amqp://mq.internal//"])
def test_a_broker_url_replaces_the_filesystem_broker(tmp_path, broker):
    seen = _settings_seen(tmp_path, CELERY_BROKER_URL=broker)

    assert seen["CELERY_BROKER_URL"] == broker
    assert seen["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] >= 3600

"""The admin's login is protected against brute force (django-axes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def admin_user():
    return SuperuserFactory(username="boss", password="right-password")


def attempt(client, password, username="boss", ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_wrong_password_shows_the_login_form_again(client, admin_user):
    response = attempt(client, "wrong")

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.text


def test_logins_are_refused_after_repeated_failures_even_with_the_right_password(
    client, admin_user, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")

    response = attempt(client, "right-password")

    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


def test_the_lockout_covers_every_username_from_that_address(client, admin_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", username=f"guess{n}")

    assert attempt(client, "right-password").status_code == 429


def test_a_locked_username_stays_locked_from_another_address(client, admin_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", ip=f"198.51.100.{n + 1}")

    assert attempt(client, "right-password", ip="192.0.2.99").status_code == 429


def test_another_address_and_username_are_not_locked_out(client, admin_user, settings):
    SuperuserFactory(username="other", password="other-password")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")

    response = attempt(client, "other-password", username="other", ip="192.0.2.10")

    assert response.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong")
    assert attempt(client, "right-password").status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong")

    assert attempt(client, "right-password").status_code == 302


def test_the_lockout_ends_after_the_cool_off_time(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )

    assert attempt(client, "right-password").status_code == 302


def test_an_administrator_can_lift_every_lockout(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")

    call_command("axes_reset", verbosity=0)

    assert attempt(client, "right-password").status_code == 302


def test_behind_a_proxy_the_client_address_comes_from_the_configured_header(
    client, admin_user, settings
):
    settings.RETURNS_PORTAL_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )

    locked = client.post(
        LOGIN,
        {"username": "boss", "password": "right-password"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.50",
    )
    other_client = client.post(
        LOGIN,
        {"username": "boss", "password": "right-password"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )

    assert locked.status_code == 429
    assert other_client.status_code == 302

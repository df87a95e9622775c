import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads written by a test go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Passwords are hashed by every login and user factory: a fast hasher in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def actor():
    from returns_portal.actors import Actor

    return Actor.system()

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads written by a test go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def actor():
    from returns_portal.actors import Actor

    return Actor.system()

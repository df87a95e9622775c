import pytest
import responses


@pytest.fixture
def http():
    """Every request goes to ``responses``; one that nothing registered fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock

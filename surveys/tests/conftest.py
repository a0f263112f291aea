import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def throttles_start_empty():
    """The answer limit counts in the default cache: each test starts at zero."""
    cache.clear()
    yield
    cache.clear()

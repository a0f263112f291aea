import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def throttles_start_at_zero():
    """The throttles count in the (per-process) cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()

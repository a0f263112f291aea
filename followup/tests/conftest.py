import pytest

from agreements.tests.conftest import catalogue, draft, party  # noqa: F401
from followup.tests.factories import signed_agreement


@pytest.fixture
def agreement(own_outlet):
    """The shop owner's agreement, in force since 2025-01-01, yearly in arrears."""
    return signed_agreement(own_outlet)

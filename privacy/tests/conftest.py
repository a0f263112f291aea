"""The agreements tests' fixtures: a signed agreement the erasure must keep."""

from agreements.tests.conftest import (  # noqa: F401 - fixtures
    catalogue,
    colleague,
    draft,
    party,
)
from agreements.tests.test_records import signed  # noqa: F401 - a fixture

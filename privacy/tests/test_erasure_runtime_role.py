"""The erasure flag as production's runtime role meets it: the role can set it,
and it can then blank a history row's personal columns, nothing more."""

import pytest

from accounts.models import UserEvent
from accounts.tests.factories import UserFactory
from agreements.tests.concurrency import (  # noqa: F401 - a fixture
    municipalities_back_after_the_flush,
)
from agreements.tests.test_records import refused_to, runtime_role  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

HISTORY_REFUSAL = "A history entry cannot be changed or deleted."


def test_the_runtime_role_with_the_flag_can_blank_but_not_rewrite_the_history(
    runtime_role,  # noqa: F811
):
    user = UserFactory(full_name="Johan Berg")
    event = UserEvent.objects.filter(pgh_obj_id=user.pk).last()
    blank = "UPDATE accounts_userevent SET full_name = %s WHERE pgh_id = %s"
    assert refused_to(runtime_role, blank, ["", event.pk]) == HISTORY_REFUSAL
    with runtime_role.transaction():
        runtime_role.execute("SELECT set_config('servicepunkter.erasure', 'on', true)")
        assert refused_to(runtime_role, blank, ["Someone", event.pk]) == (
            HISTORY_REFUSAL
        )
    with runtime_role.transaction():
        runtime_role.execute("SELECT set_config('servicepunkter.erasure', 'on', true)")
        runtime_role.execute(blank, ["", event.pk])
    event.refresh_from_db()
    assert event.full_name == ""
    # The flag ended with its transaction.
    assert (
        refused_to(
            runtime_role,
            "UPDATE accounts_userevent SET email = '' WHERE pgh_id = %s",
            [event.pk],
        )
        == HISTORY_REFUSAL
    )

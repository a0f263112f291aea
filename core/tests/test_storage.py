"""Clean-ups of stored files through the storage API alone (core.storage); the same
in a bucket: servicepunkter/tests/test_object_storage.py."""

import os
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core.storage import stored_files_remove_older


def test_a_folder_never_made_holds_nothing_to_remove():
    assert stored_files_remove_older(folder="never-made", before=timezone.now()) == 0


def test_only_files_written_before_the_cutoff_are_removed():
    old = default_storage.save("waiting/old", ContentFile(b"x"))
    new = default_storage.save("waiting/new", ContentFile(b"x"))
    default_storage.save("waiting/inner/kept", ContentFile(b"x"))
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))

    removed = stored_files_remove_older(
        folder="waiting", before=timezone.now() - timedelta(days=1)
    )

    assert removed == 1
    assert not default_storage.exists(old)
    assert default_storage.exists(new)
    assert default_storage.exists("waiting/inner/kept")

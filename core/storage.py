"""Stored files through Django's storage API alone, so that the same code works on
the local disk and in object storage (README: Files in object storage)."""

from datetime import datetime

from django.core.files.storage import Storage, default_storage


def stored_files_remove_older(
    *, folder: str, before: datetime, storage: Storage | None = None
) -> int:
    """Remove the files directly in `folder` last written before `before`; how
    many were removed.

    A folder on disk that was never made holds nothing; object storage has no
    folders at all (exists() on one is False, whatever it holds), so this never
    asks whether the folder exists.
    """
    storage = storage or default_storage
    try:
        names = storage.listdir(folder)[1]
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{folder}/{name}"
        try:
            modified = storage.get_modified_time(path)
        except Exception:
            if storage.exists(path):
                raise
            # Removed meanwhile, by another server's clean-up.
            continue
        if modified < before:
            storage.delete(path)
            removed += 1
    return removed

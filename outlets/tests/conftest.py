import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files waiting for confirmation land in a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"

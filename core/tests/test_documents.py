import pytest

from core.documents import StaticFileFetcher


@pytest.mark.smoke
def test_static_files_are_read_from_disk_never_over_the_network():
    fetcher = StaticFileFetcher()

    with pytest.raises(ValueError, match="static files"):
        fetcher.fetch("https://example.com/font.woff2")
    with pytest.raises(ValueError, match="Not a static file"):
        fetcher.fetch("file:///etc/passwd")

import pytest

from core.documents import StaticFileFetcher


@pytest.mark.smoke
def test_static_files_are_read_from_disk_never_over_the_network():
    fetcher = StaticFileFetcher()

    with pytest.raises(ValueError, match="static files"):
        fetcher.fetch("https://example.com/font.woff2")
    with pytest.raises(ValueError, match="Not a static file"):
        fetcher.fetch("file:///etc/passwd")


def test_a_css_string_holds_any_text_and_cannot_end_its_style_element():
    import tinycss2

    from core.documents import css_string

    text = 'KS 2026/1 "</style><b>Betala här</b>\\ \nrad två'
    literal = css_string(text)

    assert "<" not in literal and ">" not in literal
    (token,) = tinycss2.parse_component_value_list(literal)
    assert (token.type, token.value) == ("string", text)

import configparser

from django.conf import settings


def test_every_apps_tests_are_collected_by_a_plain_pytest_run():
    """`make test` runs a bare `pytest`: an app not in testpaths is never tested."""
    config = configparser.ConfigParser()
    config.read(settings.BASE_DIR / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    with_tests = {
        path.parent.parent.name
        for path in settings.BASE_DIR.glob("*/tests/__init__.py")
    }
    assert with_tests - testpaths == set()


def test_every_apps_tests_have_one_in_the_smoke_pass():
    """`.ci/run` runs the tests marked smoke against an external PostgreSQL server:
    at least one test of each app."""
    without_smoke = {
        path.parent.name
        for path in settings.BASE_DIR.glob("*/tests")
        if (path / "__init__.py").exists()
        and not any(
            "@pytest.mark.smoke" in test_file.read_text()
            for test_file in path.glob("test_*.py")
        )
    }
    assert without_smoke == set()

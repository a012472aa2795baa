"""Load the gabbi YAML suites in gabbits/ against the real WSGI app."""
import os

from gabbi import driver

from migrator.tests.functional.api import gabbi_fixtures
from migrator.tests.functional.api import gabbi_handlers

TESTS_DIR = 'gabbits'


def load_tests(loader, tests, pattern):
    test_dir = os.path.join(os.path.dirname(__file__), TESTS_DIR)
    return driver.build_tests(test_dir, loader, host=None,
                              test_loader_name=__name__,
                              intercept=gabbi_fixtures.setup_app,
                              fixture_module=gabbi_fixtures,
                              response_handlers=[
                                  gabbi_handlers.JSONKeysHandler])

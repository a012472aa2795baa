"""Gabbi fixtures: one APIFixture (databases, cell, flavors, two compute
services) per YAML file."""
from gabbi import fixture

from migrator.tests.functional.api import fixtures

_CURRENT = {}


def setup_app():
    """A WSGI callable that builds the app of the running fixture on its
    first request (gabbi asks for the app before fixtures start)."""
    built = {}

    def app(environ, start_response):
        fixture = _CURRENT['fixture']
        if built.get('fixture') is not fixture:
            built['fixture'] = fixture
            built['app'] = fixture.app()
        return built['app'](environ, start_response)
    return app


class APIFixture(fixture.GabbiFixture):

    def start_fixture(self):
        self.fixture = fixtures.APIFixture()
        self.fixture.setUp()
        _CURRENT['fixture'] = self.fixture

    def stop_fixture(self):
        _CURRENT.pop('fixture', None)
        self.fixture.cleanUp()

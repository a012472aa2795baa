"""Base test classes: configuration reset after each test, and (for
``DBTestCase``) fresh synced SQLite databases and an admin context."""
from oslotest import base

from migrator import context
from migrator.tests import fixtures as migrator_fixtures


class TestCase(base.BaseTestCase):
    def setUp(self):
        super().setUp()
        self.conf_fixture = self.useFixture(migrator_fixtures.ConfFixture())

    def flags(self, group=None, **kw):
        self.conf_fixture.config(group=group, **kw)


class DBTestCase(TestCase):
    def setUp(self):
        super().setUp()
        self.db = self.useFixture(migrator_fixtures.Database())
        self.context = context.get_admin_context()

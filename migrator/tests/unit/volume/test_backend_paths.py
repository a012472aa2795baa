"""A volume record cannot make the file backend touch a file outside its
directory: hostile names (``name_id`` from the database) are refused."""
import os

import fixtures
from oslo_config import cfg
import testtools

from migrator import exception
from migrator.tests import fixtures as migrator_fixtures
from migrator.volume import backends

CONF = cfg.CONF

HOSTILE_NAMES = ('../../secret', 'volume-1/../../../secret', '..',
                 '/etc/passwd', 'volume-\nx', 'volume-\x00x')


class TestFileBackendPaths(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(migrator_fixtures.ConfFixture())
        self.log = self.useFixture(fixtures.FakeLogger(
            name='migrator.safe_path'))
        self.state = self.useFixture(fixtures.TempDir()).path
        self.conf.config(state_path=self.state)
        self.backend = backends.load(CONF, 'volume1', 'gold')
        self.backend.start()
        self.secret = os.path.join(self.state, 'secret')
        with open(self.secret, 'w') as handle:
            handle.write('keep me')

    def test_hostile_names_are_refused_and_nothing_is_touched(self):
        for name in HOSTILE_NAMES:
            for call in (lambda: self.backend.path(name, 'gold'),
                         lambda: self.backend.create(name, 1, 'gold'),
                         lambda: self.backend.delete(name, 'gold'),
                         lambda: self.backend.connection_info(name, 'gold')):
                exc = self.assertRaises(exception.UnsafePath, call)
                self.assertIn('volume1@gold', str(exc))
        with open(self.secret) as handle:
            self.assertEqual('keep me', handle.read())
        self.assertIn('Refused path', self.log.output)

    def test_a_symlink_out_of_the_directory_is_refused(self):
        link = os.path.join(self.backend.directory, 'gold', 'volume-1')
        os.symlink(self.secret, link)
        exc = self.assertRaises(exception.UnsafePath, self.backend.delete,
                                'volume-1', 'gold')
        self.assertIn('resolves to %s' % self.secret, str(exc))
        self.assertTrue(os.path.exists(self.secret))

    def test_hostile_pool_is_refused(self):
        self.assertRaises(exception.UnsafePath, self.backend.path,
                          'volume-1', '../..')

    def test_names_with_shell_characters_stay_literal_inside(self):
        name = "volume-a b'c;$(touch pwned)"
        path = self.backend.create(name, 1, 'gold')
        self.assertEqual(os.path.join(self.backend.directory, 'gold', name),
                         path)
        self.assertTrue(os.path.exists(path))
        self.backend.delete(name, 'gold')
        self.assertFalse(os.path.exists(path))

"""Paths from records are refused outside the configured directories."""
import os

import fixtures

from migrator import exception
from migrator import safe_path
from migrator.tests import base


class TestInside(base.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='migrator.safe_path'))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.root = os.path.join(self.tmp, 'volumes')
        os.makedirs(os.path.join(self.root, 'pool'))
        self.outside = os.path.join(self.tmp, 'secret')
        open(self.outside, 'w').close()

    def refused(self, path, roots=None, reason=''):
        exc = self.assertRaises(exception.UnsafePath, safe_path.inside,
                                path, roots or [self.root], 'volume v')
        self.assertIn('volume v', str(exc))
        self.assertIn(reason, str(exc))
        self.assertIn('Refused path', self.log.output)
        return exc

    def test_a_path_inside_is_returned(self):
        path = os.path.join(self.root, 'pool', 'volume-1')
        self.assertEqual(path, safe_path.inside(path, [self.root], 'v'))
        self.assertEqual(self.root, safe_path.inside(self.root,
                                                     [self.root], 'v'))

    def test_dot_dot_is_refused(self):
        self.refused(os.path.join(self.root, 'pool', '..', '..', 'secret'),
                     reason='".."')

    def test_absolute_path_outside_is_refused(self):
        self.refused(self.outside, reason='outside')
        self.refused('/dev/sda', reason='outside')
        # A sibling whose name starts like the root is outside too.
        self.refused(self.root + '-other/x', reason='outside')

    def test_symlink_out_is_refused(self):
        link = os.path.join(self.root, 'pool', 'volume-2')
        os.symlink(self.outside, link)
        exc = self.refused(link, reason='resolves to %s' % self.outside)
        self.assertIn(link, str(exc))
        linked_dir = os.path.join(self.root, 'pool2')
        os.symlink(self.tmp, linked_dir)
        self.refused(os.path.join(linked_dir, 'secret'), reason='outside')

    def test_relative_empty_and_control_characters_are_refused(self):
        self.refused('volumes/pool/x', reason='absolute')
        self.refused('', reason='not a path')
        self.refused(None, reason='not a path')
        for bad in ('\n', '\x00', '\r', '\x1b', '\x85'):
            self.refused(os.path.join(self.root, 'a%sb' % bad),
                         reason='control characters')


class TestNames(base.TestCase):

    def test_plain_names(self):
        self.assertEqual('volume-1', safe_path.plain_name('volume-1', 'v'))
        self.assertEqual("a b'c;$(x)", safe_path.plain_name("a b'c;$(x)",
                                                            'v'))
        for bad in ('', '.', '..', '../x', 'a/b', '/abs', 'a\nb', None):
            self.assertRaises(exception.UnsafePath, safe_path.plain_name,
                              bad, 'v')

    def test_remote_paths(self):
        self.assertEqual('/srv/a b', safe_path.remote('/srv/a b', 'v'))
        for bad in ('srv/x', '/srv/../etc', '/srv/./x', '/srv//x',
                    '/srv/x/', '/srv/a\nb'):
            self.assertRaises(exception.UnsafePath, safe_path.remote,
                              bad, 'v')

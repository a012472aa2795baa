"""A PMEM namespace record (migration context, pmem_namespaces row) can
only make the compute copy or zero one of this host's configured
namespaces: a record pointing elsewhere fails before any byte moves."""
import os
import threading

import fixtures

from migrator.compute.resize import pmem_copy
from migrator import exception
from migrator.tests import base
from migrator.virt import pmem as virt_pmem

KIB = 1024


class FakeDriver:

    def __init__(self, namespaces):
        self.namespaces = namespaces

    def get_pmem_namespaces(self):
        return self.namespaces.list()


class FakeMigration:
    progress_detail = None

    def save(self):
        pass


class TestPmemPaths(base.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='migrator.safe_path'))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.src = virt_pmem.FileNamespaces(
            os.path.join(self.tmp, 'src'), ['SMALL:ns0|ns1'], 64 * KIB)
        self.dst = virt_pmem.FileNamespaces(
            os.path.join(self.tmp, 'dst'), ['SMALL:ns0|ns1'], 64 * KIB)
        self.src.prepare()
        self.dst.prepare()
        self.driver = FakeDriver(self.src)
        self.data = os.urandom(64 * KIB)
        self.old, self.other = self.src.list()
        self.new = self.dst.list()[0]
        with open(self.old['devpath'], 'wb') as handle:
            handle.write(self.data)
        self.secret = os.path.join(self.tmp, 'secret')
        with open(self.secret, 'wb') as handle:
            handle.write(b'k' * 64 * KIB)

    def read(self, path):
        with open(path, 'rb') as handle:
            return handle.read()

    def hostile(self, ns, **changes):
        ns = dict(ns)
        ns.update(changes)
        return ns

    def copy(self, old, new):
        pmem_copy.copy_all([(old, new)], None, FakeMigration(),
                           threading.Event(), self.driver)

    def test_configured_namespaces_are_copied_and_zeroed(self):
        self.copy(self.old, self.new)
        self.assertEqual(self.data, self.read(self.new['devpath']))
        pmem_copy.zero([self.old], self.driver)
        self.assertEqual(bytes(64 * KIB), self.read(self.old['devpath']))

    def test_zero_refuses_a_record_pointing_elsewhere(self):
        hostile = [
            self.hostile(self.old, devpath=self.secret),
            self.hostile(self.old, devpath='/dev/sda'),
            self.hostile(self.old, devpath=os.path.join(
                os.path.dirname(self.old['devpath']), '..', 'secret')),
            self.hostile(self.old, name='unknown'),
            self.hostile(self.old, backing='devdax'),
            # Another configured namespace's file under this one's name.
            self.hostile(self.old, devpath=self.other['devpath']),
        ]
        for ns in hostile:
            # The good one listed first is not zeroed either: the check
            # comes before any work.
            exc = self.assertRaises(exception.UnsafePath, pmem_copy.zero,
                                    [self.old, ns], self.driver)
            self.assertIn('PMEM namespace', str(exc))
        self.assertEqual(b'k' * 64 * KIB, self.read(self.secret))
        self.assertEqual(self.data, self.read(self.old['devpath']))
        self.assertIn('Refused path', self.log.output)

    def test_a_namespace_file_replaced_by_a_symlink_is_refused(self):
        os.unlink(self.old['devpath'])
        os.symlink(self.secret, self.old['devpath'])
        exc = self.assertRaises(exception.UnsafePath, pmem_copy.zero,
                                [self.old], self.driver)
        self.assertIn('resolves to %s' % self.secret, str(exc))
        self.assertEqual(b'k' * 64 * KIB, self.read(self.secret))

    def test_copy_refuses_hostile_sources_and_destinations(self):
        cases = [
            (self.hostile(self.old, devpath=self.secret), self.new),
            (self.old, self.hostile(self.new, devpath=self.secret)),
            (self.old, self.hostile(self.new, devpath='relative/ns0')),
            (self.old, self.hostile(self.new, devpath=os.path.join(
                os.path.dirname(self.new['devpath']), '..', 'dst',
                'ns0'))),
            (self.old, self.hostile(self.new, devpath='/dev/sda',
                                    backing='devdax')),
            (self.old, self.hostile(self.new, name='../ns0')),
            (self.old, self.hostile(self.new, devpath=self.new['devpath'] +
                                    '\n')),
        ]
        before = self.read(self.new['devpath'])
        for old, new in cases:
            self.assertRaises(exception.UnsafePath, self.copy, old, new)
        self.assertEqual(before, self.read(self.new['devpath']))
        self.assertEqual(b'k' * 64 * KIB, self.read(self.secret))

    def test_device_dax_paths(self):
        ns = {'name': 'ns0', 'label': 'L', 'size': 1, 'backing': 'devdax',
              'devpath': '/dev/dax0.0'}
        self.assertIsNone(pmem_copy.check_remote(ns))
        for bad in ('/dev/sda', '/dev/dax0.0/../sda', '/tmp/dax0.0',
                    '/dev/dax0.0; rm -rf /'):
            self.assertRaises(exception.UnsafePath, pmem_copy.check_remote,
                              dict(ns, devpath=bad))
        # This host's driver says ns0 is /dev/dax0.0: a record saying
        # /dev/dax1.0 for it is refused.
        driver = FakeDriver(FakeDax([ns]))
        self.assertRaises(exception.UnsafePath, pmem_copy.check_local,
                          [dict(ns, devpath='/dev/dax1.0')], driver)


class FakeDax:

    def __init__(self, namespaces):
        self.namespaces = namespaces

    def list(self):
        return self.namespaces

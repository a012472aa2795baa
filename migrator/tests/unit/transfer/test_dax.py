"""DaxDevice drives daxio with argv lists. There is no /dev/dax on the
test machines, so a fake daxio (fakes.FAKE_DAXIO) on PATH stands in: it
logs its arguments and reads/writes a regular file the way daxio reads
and writes a device."""
import os

import fixtures
import testtools

from migrator.tests.unit.transfer import fakes
from migrator import transfer
from migrator.transfer import agent


class TestDaxDevice(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.log = fakes.install_fake_daxio(self, self.tmp)
        self.dev = os.path.join(self.tmp, 'dax0.0')
        self.old = os.urandom(64 * 1024)
        with open(self.dev, 'wb') as f:
            f.write(self.old)
        self.data = os.urandom(40000)
        self.src = os.path.join(self.tmp, 'src')
        with open(self.src, 'wb') as f:
            f.write(self.data)

    def calls(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def read(self, path):
        with open(path, 'rb') as f:
            return f.read()

    def test_write_into_a_device(self):
        transfer.copy(transfer.LocalFile(self.src),
                      transfer.DaxDevice(self.dev))
        self.assertEqual(['-o %s -l 40000' % self.dev], self.calls())
        self.assertEqual(self.data + self.old[40000:], self.read(self.dev))

    def test_read_from_a_device(self):
        dst = os.path.join(self.tmp, 'dst')
        result = transfer.copy(transfer.DaxDevice(self.dev),
                               transfer.LocalFile(dst), length=1000)
        self.assertEqual(['-i %s -l 1000' % self.dev], self.calls())
        self.assertEqual(self.old[:1000], self.read(dst))
        self.assertEqual(1000, result.bytes_copied)

    def test_zero(self):
        transfer.zero(transfer.DaxDevice(self.dev))
        transfer.zero(transfer.DaxDevice(self.dev), 4096)
        self.assertEqual(['-z -o %s' % self.dev,
                          '-z -o %s -l 4096' % self.dev], self.calls())
        self.assertEqual(bytes(len(self.old)), self.read(self.dev))

    def test_failed_write_zeroes_the_device(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_DAXIO_FAIL', '1'))
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy,
            transfer.LocalFile(self.src), transfer.DaxDevice(self.dev),
            chunk_size=4096)
        self.assertIn('daxio writing %s failed (exit status 1): daxio: '
                      'fake failure' % self.dev, str(exc))
        self.assertEqual(['-o %s -l 40000' % self.dev,
                          '-z -o %s -l 40000' % self.dev], self.calls())
        self.assertEqual(bytes(40000) + self.old[40000:],
                         self.read(self.dev))

    def test_failed_read(self):
        self.useFixture(fixtures.EnvironmentVariable('FAKE_DAXIO_FAIL', '1'))
        dst = os.path.join(self.tmp, 'dst')
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy, transfer.DaxDevice(self.dev),
            transfer.LocalFile(dst), length=1000)
        self.assertIn('daxio reading %s' % self.dev, str(exc))
        self.assertFalse(os.path.exists(dst))

    def test_checksum_mismatch_zeroes_the_device(self):
        sink = transfer.DaxDevice(self.dev)
        open_writer = sink.open_writer

        def lying_writer(length, checksum, sync):
            writer = open_writer(length, checksum, sync)
            finish = writer.finish
            writer.finish = lambda: (finish(), 'bad')[1]
            return writer
        sink.open_writer = lying_writer
        self.assertRaises(transfer.ChecksumMismatch, transfer.copy,
                          transfer.LocalFile(self.src), sink)
        self.assertEqual(bytes(40000) + self.old[40000:],
                         self.read(self.dev))

    def test_daxio_missing(self):
        self.useFixture(fixtures.EnvironmentVariable('PATH', self.tmp))
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy,
            transfer.LocalFile(self.src), transfer.DaxDevice(self.dev))
        self.assertIn('could not start', str(exc))
        self.assertIn('daxio', str(exc))

    def test_a_device_is_never_deleted(self):
        self.assertRaises(transfer.TransferError,
                          transfer.DaxDevice(self.dev).delete)
        self.assertTrue(os.path.exists(self.dev))

    def test_size_from_sysfs(self):
        # /dev/null stands in for a character device; its sysfs entry is
        # faked under a temporary root.
        st = os.stat('/dev/null')
        node = os.path.join(self.tmp, 'sys', 'dev', 'char', '%d:%d' % (
            os.major(st.st_rdev), os.minor(st.st_rdev)))
        os.makedirs(node)
        with open(os.path.join(node, 'size'), 'w') as f:
            f.write('135291469824\n')
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.agent.SYSFS', os.path.join(self.tmp, 'sys')))
        self.assertEqual(135291469824, transfer.DaxDevice('/dev/null').size())
        self.assertEqual(0, agent.size_of('file', '/dev/null'))

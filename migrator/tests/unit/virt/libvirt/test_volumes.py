"""The libvirt driver's volumes against fakelibvirt: attach/detach as
virtio disks, and a swap by block copy with progress from blockJobInfo
and a pivot at the end."""
import threading

import testtools

from migrator import exception
from migrator.tests.unit.virt.libvirt import fakelibvirt
from migrator.tests.unit.virt.libvirt import fixtures as lv_fixtures
from migrator.virt.libvirt import driver as libvirt_driver
from migrator.virt.libvirt import volumes

GUEST = {'uuid': '6b1c2a43-0d1e-4a8f-9b33-1234567890ab', 'name': 'vm1',
         'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
         'extra_specs': {}, 'metadata': {}}
OLD = {'driver_volume_type': 'file', 'data': {'path': '/v/file1/vol-a'}}
NEW = {'driver_volume_type': 'file', 'data': {'path': '/v/file2/vol-b'}}


class TestLibvirtVolumes(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lv = self.useFixture(lv_fixtures.FakeLibvirt())
        self.conf = lv_fixtures.make_conf(self)
        self.driver = libvirt_driver.LibvirtDriver(self.conf)
        self.addCleanup(self.driver.cleanup_host)
        self.dom = self.lv.source.add_domain(GUEST['uuid'])
        self.driver.attach_volume(GUEST, OLD, '/dev/vdb')

    def swap(self, script, end=1000, cancel=None):
        self.dom.pending_block_jobs['vdb'] = fakelibvirt.BlockJob(
            None, 0, end=end, script=script)
        seen = []
        dom = self.driver.host.lookup(GUEST['uuid'])
        volumes.swap(dom, NEW['data']['path'], '/dev/vdb', seen.append,
                     cancel=cancel, poll_interval=0, sleep=lambda s: None)
        return seen

    def test_attach_and_detach(self):
        self.assertEqual({'vdb': '/v/file1/vol-a'}, self.dom.disks)
        (_conn, _method, args), = self.lv.source.calls_to(
            'attachDeviceFlags')
        self.assertIn('<target dev="vdb" bus=\'virtio\'/>', args[1])
        self.assertEqual(fakelibvirt.VIR_DOMAIN_AFFECT_CONFIG |
                         fakelibvirt.VIR_DOMAIN_AFFECT_LIVE, args[2])
        self.driver.detach_volume(GUEST, OLD, '/dev/vdb')
        self.assertEqual({}, self.dom.disks)

    def test_swap_reports_progress_then_pivots(self):
        seen = self.swap([0, 250, 500, 500, 990, 1000])
        self.assertEqual([0, 25, 50, 99, 100], seen)
        self.assertEqual({'vdb': '/v/file2/vol-b'}, self.dom.disks)
        self.assertEqual({}, self.dom.block_jobs)
        (_c, _m, args), = self.lv.source.calls_to('blockCopy')
        self.assertEqual('vdb', args[1])
        self.assertIn('<source file="/v/file2/vol-b"/>', args[2])
        # A transient job: libvirt refuses a block copy of a persistent
        # (defined) guest's disk otherwise.
        self.assertEqual(fakelibvirt.VIR_DOMAIN_BLOCK_COPY_REUSE_EXT |
                         fakelibvirt.VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB,
                         args[4])
        self.assertEqual({}, args[3])
        aborts = self.lv.source.calls_to('blockJobAbort')
        self.assertEqual([fakelibvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT],
                         [a[2][2] for a in aborts])

    def test_a_job_that_vanishes_fails_without_pivot(self):
        self.assertRaises(exception.DriverError, self.swap,
                          [100, 300, 'gone'])
        self.assertEqual({'vdb': '/v/file1/vol-a'}, self.dom.disks)
        self.assertEqual({}, self.dom.block_jobs)

    def test_cancel_aborts_the_copy(self):
        cancel = threading.Event()
        cancel.set()
        self.assertRaises(exception.DriverError, self.swap, [100],
                          cancel=cancel)
        self.assertEqual({'vdb': '/v/file1/vol-a'}, self.dom.disks)
        self.assertEqual([0], [a[2][2] for a in
                               self.lv.source.calls_to('blockJobAbort')])

    def test_driver_swap_volume(self):
        self.dom.pending_block_jobs['vdb'] = fakelibvirt.BlockJob(
            None, 0, end=10, script=[10])
        seen = []
        self.driver.swap_volume(GUEST, OLD, NEW, '/dev/vdb', seen.append)
        self.assertEqual([99, 100], seen)
        self.assertEqual({'vdb': '/v/file2/vol-b'}, self.dom.disks)

    def test_driver_swap_volume_caps_the_copy_when_configured(self):
        self.conf.set_override('swap_volume_bandwidth', 16, 'libvirt')
        self.dom.pending_block_jobs['vdb'] = fakelibvirt.BlockJob(
            None, 0, end=10, script=[10])
        self.driver.swap_volume(GUEST, OLD, NEW, '/dev/vdb', lambda p: None)
        (_c, _m, args), = self.lv.source.calls_to('blockCopy')
        self.assertEqual({'bandwidth': 16 * 1024 * 1024}, args[3])

    def test_a_moved_guest_keeps_the_disks_it_came_with(self):
        # Live migration: the disk is in the domain XML already.
        self.driver.connect_moved_volume(GUEST, OLD, '/dev/vdb')
        self.assertEqual({'vdb': '/v/file1/vol-a'}, self.dom.disks)
        self.assertEqual(1, len(self.lv.source.calls_to(
            'attachDeviceFlags')))
        # A guest defined without it (a cold move) gets it attached.
        self.driver.connect_moved_volume(GUEST, NEW, '/dev/vdc')
        self.assertEqual({'vdb': '/v/file1/vol-a',
                          'vdc': '/v/file2/vol-b'}, self.dom.disks)

import testtools

from migrator.tests.unit.virt.libvirt import fakelibvirt
from migrator.tests.unit.virt.libvirt import fixtures as lv_fixtures
from migrator.virt import driver
from migrator.virt.libvirt import job_stats

UUID = '6b1c2a43-0d1e-4a8f-9b33-1234567890ab'

RUNNING_STATS = {
    'type': 2, 'time_elapsed': 4200, 'data_total': 600, 'data_processed':
    100, 'data_remaining': 500, 'memory_total': 512, 'memory_processed': 100,
    'memory_remaining': 412, 'memory_bps': 52428800,
    'memory_dirty_rate': 8000, 'memory_page_size': 4096,
    'memory_iteration': 2, 'disk_total': 0, 'disk_processed': 0,
    'disk_remaining': 0, 'downtime': 300,
    # Keys the contract does not promise:
    'setup_time': 12, 'memory_postcopy_requests': 0,
}


class JobStatsTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lv = self.useFixture(lv_fixtures.FakeLibvirt())
        self.state = self.lv.source.add_domain(UUID)
        self.dom = fakelibvirt.open(lv_fixtures.SOURCE_URI) \
            .lookupByUUIDString(UUID)

    def test_keeps_the_promised_keys(self):
        self.state.job_stats_script = [RUNNING_STATS]
        stats = job_stats.get_job_stats(self.dom)
        self.assertEqual(job_stats.STATS_KEYS, set(stats))
        self.assertEqual(driver.JOB_UNBOUNDED, stats['type'])
        self.assertEqual(412, stats['memory_remaining'])
        self.assertNotIn('setup_time', stats)

    def test_missing_keys_stay_absent(self):
        self.state.job_stats_script = [{'type': 0}]
        self.assertEqual({'type': driver.JOB_NONE},
                         job_stats.get_job_stats(self.dom))

    def test_falls_back_to_job_info(self):
        self.state.job_stats_supported = False
        self.state.job_stats_script = [RUNNING_STATS]
        stats = job_stats.get_job_stats(self.dom)
        self.assertEqual(driver.JOB_UNBOUNDED, stats['type'])
        self.assertEqual(100, stats['memory_processed'])
        self.assertEqual(0, stats['disk_total'])
        self.assertNotIn('time_remaining', stats)

    def _stats_after(self, error):
        self.state.job_stats_script = [error]
        return job_stats.get_job_stats(self.dom)

    def test_no_domain_means_completed(self):
        stats = self._stats_after(fakelibvirt.no_domain_error(UUID))
        self.assertEqual({'type': driver.JOB_COMPLETED}, stats)

    def test_operation_invalid_means_completed(self):
        stats = self._stats_after(fakelibvirt.libvirtError(
            'domain is not running', fakelibvirt.VIR_ERR_OPERATION_INVALID))
        self.assertEqual({'type': driver.JOB_COMPLETED}, stats)

    def test_no_ram_info_yet_means_none(self):
        stats = self._stats_after(fakelibvirt.libvirtError(
            'internal error: migration was active, but no RAM info was '
            'set', fakelibvirt.VIR_ERR_INTERNAL_ERROR))
        self.assertEqual({'type': driver.JOB_NONE}, stats)

    def test_other_errors_are_raised(self):
        self.assertRaises(fakelibvirt.libvirtError, self._stats_after,
                          fakelibvirt.libvirtError('broken pipe'))

    def test_undefined_domain_means_completed(self):
        del self.lv.source.domains[UUID]
        self.assertEqual({'type': driver.JOB_COMPLETED},
                         job_stats.get_job_stats(self.dom))

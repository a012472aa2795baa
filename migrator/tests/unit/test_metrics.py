"""The /metrics collector on stub cells: volume migrations' progress and
a migration's gauges, rendered and read back with the Prometheus text
parser."""
import datetime

from oslo_utils import uuidutils
import prometheus_client
from prometheus_client import parser
import testtools

from migrator.api import metrics
from migrator.objects import migration as migration_obj
from migrator.objects import volume as volume_obj

M1, M2, S1, S2, V1, V2 = (uuidutils.generate_uuid()
                          for _ in range(6))
T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)


class StubCollector(metrics.MigrationCollector):
    """The collector with the cells' answers given."""

    def __init__(self, migrations, volumes, volume_api):
        super().__init__(api=object(), volume_api=volume_api)
        self._migrations = migrations
        self._volumes_found = volumes

    def migrations(self, context):
        return self._migrations

    def migrating_volumes(self, context):
        return self._volumes_found


class StubVolumeAPI:
    def __init__(self, answers):
        self.answers = answers

    def migration_progress(self, context, volume):
        return self.answers[volume.uuid]


def scrape(collector):
    registry = prometheus_client.CollectorRegistry()
    registry.register(collector)
    text = prometheus_client.generate_latest(registry).decode()
    return {s.name: s for f in parser.text_string_to_metric_families(text)
            for s in f.samples}, text


class TestCollector(testtools.TestCase):

    def test_gauges_counters_and_volume_progress(self):
        running = migration_obj.Migration(
            id=1, uuid=M1, instance_uuid=S1, source_compute='a',
            dest_compute='b', migration_type='live-migration',
            status='running', memory_total=100, memory_processed=40,
            memory_remaining=60, disk_total=None, disk_processed=None,
            disk_remaining=None, created_at=T0, updated_at=T0,
            progress_detail={'percent': 40, 'expected_downtime_ms': 250,
                             'bandwidth_mib_per_s': 2})
        done = migration_obj.Migration(
            id=2, uuid=M2, instance_uuid=S2, source_compute='a',
            dest_compute='b', migration_type='migration',
            status='confirmed', memory_total=None, memory_processed=None,
            memory_remaining=None, disk_total=5, disk_processed=5,
            disk_remaining=0, created_at=T0,
            updated_at=T0 + datetime.timedelta(seconds=42),
            progress_detail={})
        copying = volume_obj.Volume(
            uuid=V1, host='vol@lvm1#pool', migration_dest_host='vol@lvm2',
            migration_method='host-assisted',
            migration_status='migrating')
        swapped = volume_obj.Volume(
            uuid=V2, host='vol@lvm1', migration_dest_host='vol@lvm2',
            migration_method='driver-assisted',
            migration_status='migrating')
        collector = StubCollector(
            [running, done], [copying, swapped],
            StubVolumeAPI({V1: '37', V2: 'driver-assisted'}))
        found, text = scrape(collector)

        sample = found['migrator_migration_memory_processed_bytes']
        self.assertEqual(({'migration': M1, 'server': S1,
                           'source': 'a', 'destination': 'b',
                           'type': 'live-migration'}, 40),
                         (sample.labels, sample.value))
        self.assertEqual(
            0.25,
            found['migrator_migration_expected_downtime_seconds'].value)
        self.assertEqual(
            2 * 1024 * 1024,
            found['migrator_migration_bandwidth_cap_bytes_per_second']
            .value)
        # The confirmed cold migration has no gauge, but is counted.
        self.assertNotIn(M2, text.split('migrator_migrations_total')[0])
        self.assertEqual(
            42.0, found['migrator_migration_duration_seconds_sum'].value)
        sample = found['migrator_volume_migration_progress_percent']
        self.assertEqual(({'volume': V1, 'source': 'vol@lvm1#pool',
                           'destination': 'vol@lvm2',
                           'method': 'host-assisted'}, 37.0),
                         (sample.labels, sample.value))
        self.assertNotIn(V2, text)

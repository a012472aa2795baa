"""GET /metrics scraped as Prometheus would, parsed with the Prometheus
text parser, with a conductor and fake computes behind the API: a
running live migration's gauges move, the outcome counters and the
duration histogram follow its end, the API's latency is recorded per
route, and only admins may scrape."""
from oslo_utils import uuidutils
from prometheus_client import parser
import testtools
import webob

from migrator.tests.functional.api import test_live_migration_controls
from migrator.tests.functional import control_plane


def scrape(app, token='admin:admin'):
    req = webob.Request.blank('/metrics', headers={'X-Auth-Token': token})
    resp = req.get_response(app)
    return resp


def samples(app):
    """{sample name: [(labels, value)]} of one scrape."""
    resp = scrape(app)
    assert resp.status_int == 200, resp.body
    found = {}
    for family in parser.text_string_to_metric_families(resp.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(
                (sample.labels, sample.value))
    return found


def value_of(found, name, **labels):
    for sample_labels, value in found.get(name, []):
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return value
    return None


class TestMetrics(test_live_migration_controls.ControlsTestBase):

    def test_running_migration_gauges_move_then_outcome_is_counted(self):
        inst, mig = self.start()
        labels = {'migration': mig.uuid, 'server': inst.uuid,
                  'source': 'compute1', 'destination': 'compute2',
                  'type': 'live-migration'}
        first = control_plane.wait_for(
            lambda: value_of(samples(self.app),
                             'migrator_migration_memory_processed_bytes',
                             **labels),
            what='the processed-bytes gauge')
        control_plane.wait_for(
            lambda: (value_of(samples(self.app),
                              'migrator_migration_memory_processed_bytes',
                              **labels) or first) != first,
            what='the processed-bytes gauge to move')
        found = samples(self.app)
        self.assertEqual(2048 * 1024 * 1024, value_of(
            found, 'migrator_migration_memory_total_bytes', **labels))
        for name in ('migrator_migration_memory_remaining_bytes',
                     'migrator_migration_progress_percent',
                     'migrator_migration_transfer_rate_bytes_per_second',
                     'migrator_migration_dirty_rate_bytes_per_second',
                     'migrator_migration_iteration',
                     'migrator_migration_max_downtime_seconds'):
            self.assertIsNotNone(value_of(found, name, **labels), name)
        self.assertEqual(1, value_of(found, 'migrator_migration_in_progress',
                                     status='running', **labels))
        self.assertEqual(1, value_of(found, 'migrator_migrations_total',
                                     type='live-migration',
                                     outcome='in_progress'))

        # A longer allowed pause lets it converge; then it is counted.
        self.assertEqual(202, self.action(
            inst, mig, {'set_max_downtime': {'ms': 600000}})[0])
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)
        found = samples(self.app)
        self.assertIsNone(value_of(
            found, 'migrator_migration_memory_processed_bytes', **labels))
        self.assertEqual(1, value_of(found, 'migrator_migrations_total',
                                     type='live-migration',
                                     outcome='completed'))
        self.assertEqual(1, value_of(
            found, 'migrator_migration_duration_seconds_count',
            type='live-migration'))
        self.assertEqual(1, value_of(
            found, 'migrator_migration_duration_seconds_bucket',
            type='live-migration', le='+Inf'))

    def test_api_latency_by_route(self):
        inst = self.cp.boot(host='compute1')
        for _ in range(3):
            self.assertEqual(200, self.request('/servers/%s'
                                               % inst.uuid)[0])
        self.assertEqual(404, self.request(
            '/servers/%s' % uuidutils.generate_uuid())[0])
        found = samples(self.app)
        self.assertEqual(3, value_of(
            found, 'migrator_api_request_duration_seconds_count',
            method='GET', route='/v2.1/servers/{server_id}', status='200'))
        self.assertEqual(1, value_of(
            found, 'migrator_api_request_duration_seconds_count',
            method='GET', route='/v2.1/servers/{server_id}', status='404'))

    def test_admin_only(self):
        self.assertEqual(403, scrape(self.app, 'demo:demo').status_int)
        self.assertEqual(401, scrape(self.app, '').status_int)
        resp = scrape(self.app)
        self.assertEqual(200, resp.status_int)
        self.assertTrue(resp.content_type.startswith('text/plain'))


class TestEmpty(testtools.TestCase):
    """No migration at all: the families are there, empty."""

    def test_no_migrations(self):
        from migrator.tests.functional.api import control_plane_api
        api = self.useFixture(control_plane_api.ControlPlaneAPI())
        found = samples(api.app())
        self.assertNotIn('migrator_migration_memory_processed_bytes', found)
        self.assertNotIn('migrator_migrations_total', found)

"""Prometheus metrics of the compute API: ``GET /metrics``.

Served on the compute API's port, behind its authentication, to callers
the policy ``migrator:metrics`` allows (admins by default). The text is
the Prometheus exposition format written by ``prometheus_client``.

Each scrape reads the databases of every cell that answers:

* per migration not finished yet (live, cold, resize), gauges labelled
  ``migration`` (uuid), ``server``, ``source``, ``destination`` and
  ``type``: bytes processed, remaining and total (memory and disk), the
  2.106 progress figures (percent, transfer and dirty rates, iteration,
  expected downtime, ETA) and the 2.107 settings (max downtime,
  bandwidth cap), as the source's monitor last saved them;
* ``migrator_migrations_total{type, outcome}``: migrations by type and
  outcome (the final status, or ``in_progress``);
* ``migrator_migration_duration_seconds{type}``: a histogram of how long
  ended migrations took (created to last update);
* ``migrator_volume_migration_progress_percent{volume, source,
  destination}``: volumes being migrated, as their volume service or
  compute reports it (left out when it does not answer in time).

And, kept in this API process: ``migrator_api_request_duration_seconds
{method, route, status}``, a histogram of the API's latency per route
template (``/v2.1/servers/{server_id}``), measured by ``LatencyMiddleware``.
"""
import time

from oslo_log import log as logging
import prometheus_client
from prometheus_client import core
import webob

from migrator.compute import api as compute_api
from migrator import context as migrator_context
from migrator.objects import migration as migration_obj
from migrator.objects import volume as volume_obj
from migrator.policies import metrics as metrics_policies
from migrator import policy

LOG = logging.getLogger(__name__)

PATH = '/metrics'
ROUTE_KEY = 'migrator.route'
LABELS = ['migration', 'server', 'source', 'destination', 'type']
IN_FLIGHT = migration_obj.NOT_FINISHED
DURATION_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200,
                    float('inf'))
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                   10, float('inf'))

# (metric name, help, where the value comes from, scale)
_FIELD_GAUGES = [
    ('migrator_migration_%s_bytes' % name,
     'Bytes of %s, as last saved.' % name.replace('_', ' '), name)
    for name in migration_obj.PROGRESS_FIELDS]
_DETAIL_GAUGES = [
    ('migrator_migration_progress_percent',
     'Percent done (never goes back).', 'percent', 1),
    ('migrator_migration_transfer_rate_bytes_per_second',
     'Bytes per second sent, as last sampled.', 'transfer_rate', 1),
    ('migrator_migration_dirty_rate_bytes_per_second',
     'Bytes per second the guest dirties, as last sampled.',
     'dirty_rate', 1),
    ('migrator_migration_iteration', 'The pre-copy pass (1 for the '
     'first).', 'iteration', 1),
    ('migrator_migration_expected_downtime_seconds',
     'The switch-over pause the hypervisor expects.',
     'expected_downtime_ms', 0.001),
    ('migrator_migration_eta_seconds', 'Seconds to completion (absent '
     'until it can be estimated).', 'eta_seconds', 1),
    ('migrator_migration_max_downtime_seconds',
     'The switch-over pause allowed now.', 'max_downtime_ms', 0.001),
    ('migrator_migration_bandwidth_cap_bytes_per_second',
     'The bandwidth cap (0: none).', 'bandwidth_mib_per_s', 1024 * 1024),
]


def _labels(migration):
    return [migration.uuid or str(migration.id),
            migration.instance_uuid or '', migration.source_compute or '',
            migration.dest_compute or '', migration.migration_type or '']


def _duration(migration):
    if migration.created_at is None or migration.updated_at is None:
        return None
    return max(0.0, (migration.updated_at -
                     migration.created_at).total_seconds())


class MigrationCollector:
    """Reads the migrations (and migrating volumes) of every cell at each
    scrape."""

    def __init__(self, api=None, volume_api=None):
        self.api = api or compute_api.API()
        self._volume_api = volume_api

    @property
    def volume_api(self):
        if self._volume_api is None:
            from migrator.volume import api as volume_api
            self._volume_api = volume_api.API()
        return self._volume_api

    def describe(self):
        # Nothing at registration time: collect() reads the databases.
        return []

    def migrations(self, context):
        """Every migration of every cell that answers."""
        answers = self.api._each_cell(
            context, lambda cctxt: list(
                migration_obj.MigrationList.get_by_filters(cctxt, {})))
        return [m for _, rows in answers for m in rows]

    def migrating_volumes(self, context):
        """The volumes being migrated, in every cell that answers."""
        answers = self.api._each_cell(
            context, lambda cctxt: list(
                volume_obj.VolumeList.get_by_filters(
                    cctxt, {'migration_status':
                            volume_obj.MIGRATION_MIGRATING})))
        return [v for _, rows in answers for v in rows]

    def collect(self):
        context = migrator_context.get_admin_context()
        try:
            migrations = self.migrations(context)
        except Exception:
            LOG.exception('Reading the migrations for /metrics failed')
            migrations = []
        yield from self._in_flight([m for m in migrations
                                    if m.status in IN_FLIGHT])
        yield from self._totals(migrations)
        yield from self._volumes(context)

    def _in_flight(self, migrations):
        families = []
        for name, help_text, field in _FIELD_GAUGES:
            family = core.GaugeMetricFamily(name, help_text, labels=LABELS)
            for m in migrations:
                value = getattr(m, field)
                if value is not None:
                    family.add_metric(_labels(m), value)
            families.append(family)
        for name, help_text, key, scale in _DETAIL_GAUGES:
            family = core.GaugeMetricFamily(name, help_text, labels=LABELS)
            for m in migrations:
                value = (m.progress_detail or {}).get(key)
                if value is not None:
                    family.add_metric(_labels(m), value * scale)
            families.append(family)
        status = core.GaugeMetricFamily(
            'migrator_migration_in_progress',
            'Migrations not finished yet (1 each), with their status.',
            labels=LABELS + ['status'])
        for m in migrations:
            status.add_metric(_labels(m) + [m.status], 1)
        families.append(status)
        return families

    def _totals(self, migrations):
        counts = {}
        durations = {}
        for m in migrations:
            kind = m.migration_type or 'unknown'
            if m.status in IN_FLIGHT:
                outcome = 'in_progress'
            else:
                outcome = m.status
                seconds = _duration(m)
                if seconds is not None:
                    durations.setdefault(kind, []).append(seconds)
            counts[(kind, outcome)] = counts.get((kind, outcome), 0) + 1
        total = core.CounterMetricFamily(
            'migrator_migrations', 'Migrations by type and outcome.',
            labels=['type', 'outcome'])
        for (kind, outcome), count in sorted(counts.items()):
            total.add_metric([kind, outcome], count)
        histogram = core.HistogramMetricFamily(
            'migrator_migration_duration_seconds',
            'How long ended migrations took (created to last update).',
            labels=['type'])
        for kind, values in sorted(durations.items()):
            buckets = [(_bucket_name(bound),
                        sum(1 for v in values if v <= bound))
                       for bound in DURATION_BUCKETS]
            histogram.add_metric([kind], buckets, sum(values))
        return [total, histogram]

    def _volumes(self, context):
        family = core.GaugeMetricFamily(
            'migrator_volume_migration_progress_percent',
            'Percent copied of a volume being migrated, as its volume '
            'service or compute reports it.',
            labels=['volume', 'source', 'destination', 'method'])
        try:
            volumes = self.migrating_volumes(context)
        except Exception:
            LOG.exception('Reading the migrating volumes for /metrics '
                          'failed')
            volumes = []
        for volume in volumes:
            value = self.volume_api.migration_progress(context, volume)
            try:
                percent = float(value)
            except (TypeError, ValueError):
                continue     # unknown, or driver-assisted
            family.add_metric(
                [volume.uuid, volume.host or '',
                 volume.migration_dest_host or '',
                 volume.migration_method or ''], percent)
        return [family]


def _bucket_name(bound):
    return '+Inf' if bound == float('inf') else str(float(bound))


class Metrics:
    """One API process's registry: the migration collector and the
    latency histogram."""

    def __init__(self, collector=None):
        self.registry = prometheus_client.CollectorRegistry()
        self.registry.register(collector or MigrationCollector())
        self.latency = prometheus_client.Histogram(
            'migrator_api_request_duration_seconds',
            'Compute API latency per route template.',
            ['method', 'route', 'status'], buckets=LATENCY_BUCKETS,
            registry=self.registry)

    def handler(self, req):
        """GET /metrics (the route table's handler)."""
        policy.authorize(req.context, metrics_policies.METRICS, {})
        body = prometheus_client.generate_latest(self.registry)
        resp = webob.Response(body=body, status=200)
        resp.headers['Content-Type'] = prometheus_client.CONTENT_TYPE_LATEST
        return resp


class LatencyMiddleware:
    """Times every request; the router names the route it matched
    (``ROUTE_KEY`` in the environ), anything else counts as
    ``unmatched``."""

    def __init__(self, application, metrics):
        self.application = application
        self.metrics = metrics

    def __call__(self, environ, start_response):
        start = time.monotonic()
        seen = {}

        def record_status(status, headers, exc_info=None):
            seen['status'] = status.split(' ', 1)[0]
            return start_response(status, headers, exc_info)

        try:
            return self.application(environ, record_status)
        finally:
            self.metrics.latency.labels(
                environ.get('REQUEST_METHOD', ''),
                environ.get(ROUTE_KEY, 'unmatched'),
                seen.get('status', '500')).observe(
                    time.monotonic() - start)

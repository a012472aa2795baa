"""The whole control plane on two real libvirt/KVM hosts, through the
REST API.

kvm_hosts starts two libvirtd hosts (fresh namespaces, reachable from this
namespace); a deployment set up as the README does (migrator-manage, on
PostgreSQL: its timestamps have microseconds, which the truth check
needs) runs migrator-api, one migrator-conductor and two migrator-compute
processes on RabbitMQ, compute N with ``[libvirt] connection_uri =
qemu+tcp://<host N>/system``. A server boots a guest that fills 255 MiB
and keeps dirtying 32 MiB (its serial console says when it is ready);
then, through the API:

* a live migration (2.34) completes: the guest runs on the destination
  host and is gone from the source; ``progress`` (2.106) and the memory
  figures rise while it runs;
* a live migration back is aborted (DELETE, 2.24) once memory moves: the
  migration is ``cancelled``, the guest still runs on its source, nothing
  is left on the destination.

Truth check: while each migration runs, the test samples QEMU's own
figures (``jobStats()`` on its own libvirt connection to the source) and
GET /servers/{id}/migrations/{mid} at the same moments, and bounds the
API's age (now - updated_at <= progress_save_interval + 0.5 s) and byte
error (|hypervisor - API| memory_processed <= what the hypervisor moves in
one save interval + 0.5 s at the configured bandwidth). The measured
figures are printed and attached as the ``truth`` detail.
"""
import datetime
import json
import os
import signal
import subprocess
import sys
import time

from oslo_utils import timeutils
from testtools import content

from migrator.tests import base
from migrator.tests.functional import test_migrator_all
from migrator.tests.integration.libvirt import kvm_hosts
from migrator.tests.integration import test_services
from migrator.tests import rest_client

START_TIMEOUT = 90
MIB = 1024 * 1024
BANDWIDTH_MIB = 50
POLL = 0.2
SAVE = 0.5
# Within one save interval (+0.5 s of slack for a busy machine).
MAX_AGE = SAVE + 0.5
MAX_ERROR = int(BANDWIDTH_MIB * MIB * (SAVE + 0.5))
# A loaded machine may hold up one save a little (CI saw ages of 1.008
# and 1.016 s, once each); a saver slower than its interval is late on
# most samples, so one late sample is let through, up to LATE_MAX_AGE.
LATE_SAMPLES_ALLOWED = 1
LATE_MAX_AGE = MAX_AGE + 0.5
JOB_UNBOUNDED = 2
ACTIVE_JOBS = (1, JOB_UNBOUNDED)
FINAL = ('completed', 'failed', 'error', 'cancelled')


class _KvmApiScenario(rest_client.ComputeAPIHelpers,
                      test_services._ServicesScenario):
    """Mixin: hosts, deployment, helpers and the truth check."""
    BACKEND = 'postgresql'
    test_conductor_and_computes_over_rabbitmq = None
    # [live_migration] options of the scenario, besides poll/save/bandwidth.
    LIVE_MIGRATION = {}
    # The keys of a sample under which each side reports memory moved.
    API_MEMORY, HV_MEMORY = 'api_processed', 'hv_processed'

    def setUp(self):
        kvm_hosts.require_kvm(self)
        self.kvm = self.useFixture(kvm_hosts.KvmHosts())
        self.hosts = self.kvm.hosts
        super().setUp()
        import libvirt
        self.libvirt = libvirt
        libvirt.registerErrorHandler(lambda ctx, err: None, None)
        self.conns = {}
        self.truth = {}
        self.addCleanup(self._close_conns)
        self.addCleanup(self._attach_truth)

    # -- deployment ---------------------------------------------------------
    def _write_config(self):
        path = super()._write_config()
        self.api_port = test_migrator_all.free_port()
        self.volume_port = test_migrator_all.free_port()
        with open(path, 'a') as f:
            f.write('[api]\nauth_strategy = noauth2\nbind_port = %d\n'
                    # Not the default 8776: tests run side by side.
                    'volume_bind_port = %d\n'
                    '[live_migration]\nmonitor_poll_interval = %s\n'
                    'progress_save_interval = %s\nbandwidth = %d\n'
                    % (self.api_port, self.volume_port, POLL, SAVE,
                       BANDWIDTH_MIB))
            for name, value in sorted(self.LIVE_MIGRATION.items()):
                f.write('%s = %s\n' % (name, value))
        return path

    def start(self, binary, host):
        """Start ``binary`` as ``host``; computeN drives KVM host N."""
        host_conf = os.path.join(self.tmp, '%s.conf' % host)
        with open(host_conf, 'w') as f:
            f.write('[DEFAULT]\nhost = %s\n' % host)
            if binary == 'migrator-compute':
                n = int(host[-1])
                f.write('compute_driver = libvirt\n[libvirt]\n'
                        'connection_uri = %s\nvirt_type = kvm\n'
                        'boot_image = %s\nconsole_log_dir = %s\n'
                        'live_migration_inbound_addr = %s\n'
                        'instances_path = %s\n' % (
                            self.hosts.uri(n), self.kvm.image,
                            self.hosts.CONSOLE_LOG_DIR,
                            self.hosts.address(n), self.tmp))
                f.write(self.compute_options(n))
        log = os.path.join(self.tmp, '%s.log' % host)
        out = open(log, 'ab')
        self.addCleanup(self._attach_log, host, log)
        self.addCleanup(out.close)
        proc = subprocess.Popen(
            test_services._command(binary) + [
                '--config-file', self.config_file,
                '--config-file', host_conf],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs[host] = proc
        return proc

    def compute_options(self, n):
        """More [libvirt] lines for compute ``n`` (a scenario's own)."""
        return ''

    def deploy(self):
        self.manage('api_db', 'sync')
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    self.cell0_url)
        self.manage('db', 'sync')
        self.manage('cell_v2', 'create_cell', '--name', 'cell1')
        self.manage('flavor', 'create', 'kvm.512', '--ram', '512',
                    '--vcpus', '1', '--disk', '0', '--id', '42')
        self.start('migrator-conductor', 'conductor1')
        for host in ('compute1', 'compute2'):
            self.start('migrator-compute', host)
        self.wait_for_states({
            'conductor1': ('migrator-conductor', 'enabled', 'up'),
            'compute1': ('migrator-compute', 'enabled', 'up'),
            'compute2': ('migrator-compute', 'enabled', 'up'),
        }, START_TIMEOUT)
        self.manage('cell_v2', 'discover_hosts', '--by-service')
        self.start('migrator-api', 'api1')
        self.wait(self._api_up, 30, 'migrator-api to answer')

    def _api_up(self):
        try:
            return self.http('GET', '/flavors')[0] == 200
        except OSError:
            return False

    # -- helpers --------------------------------------------------------------
    def conn(self, n):
        """A libvirt connection of the test's own to host ``n``."""
        if n not in self.conns:
            self.conns[n] = self.libvirt.open(self.hosts.uri(n))
        return self.conns[n]

    def _close_conns(self):
        for conn in self.conns.values():
            try:
                conn.close()
            except self.libvirt.libvirtError:
                pass

    def domain_state(self, n, server_id):
        """'running', 'paused', ... of the guest on host ``n``, or None."""
        try:
            state = self.conn(n).lookupByUUIDString(server_id).state()[0]
        except self.libvirt.libvirtError:
            return None     # not there (or just gone)
        return {self.libvirt.VIR_DOMAIN_RUNNING: 'running',
                self.libvirt.VIR_DOMAIN_PAUSED: 'paused'}.get(
                    state, 'state %d' % state)

    def _attach_truth(self):
        if self.truth:
            text = json.dumps(self.truth, indent=1, sort_keys=True)
            self.addDetail('truth', content.text_content(text))
            summary = {name: {k: v for k, v in t.items() if k != 'samples'}
                       for name, t in self.truth.items()}
            sys.stderr.write('\nKVM truth check (%s): %s\n' % (
                self.id(), json.dumps(summary, sort_keys=True)))

    # -- the truth check ------------------------------------------------------
    def sample(self, server_id, mig_id, src):
        """One hypervisor sample and one API read, back to back."""
        try:
            stats = self.conn(src).lookupByUUIDString(
                server_id).jobStats()
        except self.libvirt.libvirtError:
            stats = {}      # gone from the source, or ending
        hv_time = time.time()
        read = self.read_migration(server_id, mig_id, '2.106')
        if read is None:
            return None
        mig, api_time, age = read
        return {'t': round(hv_time, 3),
                'hv_type': stats.get('type'),
                'hv_processed': stats.get('memory_processed'),
                'hv_remaining': stats.get('memory_remaining'),
                'api_status': mig['status'],
                'api_processed': mig.get('memory_processed_bytes'),
                'api_remaining': mig.get('memory_remaining_bytes'),
                'api_total': mig.get('memory_total_bytes'),
                'percent': mig['progress']['percent'],
                'iteration': mig['progress']['iteration'],
                'age': age,
                'api_call': round(api_time - hv_time, 3)}

    def read_migration(self, server_id, mig_id, version):
        """GET the migration at ``version``: (the migration, when it
        answered, its age in s), or None once it is not in progress.

        The age is taken from when the request was sent: the API read
        the row after that, and on a loaded machine the answer itself
        can take most of a second, which says nothing of how often the
        progress is saved (a saver that stalls still shows: the row is
        old before the request goes out)."""
        asked = time.time()
        status, body = self.http(
            'GET', '/servers/%s/migrations/%s' % (server_id, mig_id),
            version=version)
        api_time = time.time()
        if status != 200:
            return None
        mig = body['migration']
        updated = timeutils.parse_isotime(mig['updated_at']).astimezone(
            datetime.timezone.utc).timestamp()
        return mig, api_time, round(asked - updated, 3)

    def sample_until(self, server_id, mig_id, src, until, timeout):
        """Samples until ``until(samples)``, the migration is no longer
        in progress or ``timeout`` s have passed."""
        samples = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.sample(server_id, mig_id, src)
            if s is None:
                break       # no longer in progress
            samples.append(s)
            if until(samples):
                break
            time.sleep(0.25)
        return samples

    def memory_moved(self, samples):
        """How many samples show memory moved on both sides."""
        return sum(1 for s in samples
                   if s[self.API_MEMORY] and s[self.HV_MEMORY])

    def watch(self, name, server_id, mig_id, src, until, timeout=90):
        """Sample until ``until(samples)`` or the migration ends; the
        samples where both sides report memory moving are checked."""
        samples = self.sample_until(server_id, mig_id, src, until, timeout)
        # Compared while memory moves at the set bandwidth: not once
        # QEMU has nothing left to send (the stop-and-copy, which it runs
        # at full speed, so the bandwidth bound does not hold there).
        moving = [s for s in samples
                  if s['api_status'] == 'running' and
                  s['hv_type'] == JOB_UNBOUNDED and s['hv_processed'] and
                  s['hv_remaining'] and s['api_processed']]
        self.assertGreaterEqual(len(moving), 3, samples)
        ages = [s['age'] for s in moving]
        errors = [s['hv_processed'] - s['api_processed'] for s in moving]
        self.truth[name] = {
            'samples_compared': len(moving),
            'age_max_s': max(ages), 'age_mean_s': round(
                sum(ages) / len(ages), 3),
            'error_max_mib': round(max(abs(e) for e in errors) / MIB, 2),
            'error_mean_mib': round(
                sum(abs(e) for e in errors) / len(errors) / MIB, 2),
            'bound_age_s': MAX_AGE, 'bound_error_mib': MAX_ERROR / MIB,
            'samples': samples}
        processed = [s['api_processed'] for s in moving]
        self.assertEqual(sorted(processed), processed)
        self.assertGreater(processed[-1], processed[0])
        percents = [s['percent'] for s in samples]
        self.assertEqual(sorted(percents), percents)
        self.assertGreater(percents[-1], 0)
        self.check_freshness(moving, errors, BANDWIDTH_MIB * MIB)
        return samples

    def check_freshness(self, moving, errors, rate):
        """Each sample's age within MAX_AGE (but LATE_SAMPLES_ALLOWED up
        to LATE_MAX_AGE), and its byte error within what ``rate`` moves
        in that age."""
        late = [s for s in moving if s['age'] > MAX_AGE]
        self.assertLessEqual(len(late), LATE_SAMPLES_ALLOWED, late)
        for s, error in zip(moving, errors):
            self.assertLessEqual(s['age'], LATE_MAX_AGE, s)
            self.assertLessEqual(abs(error),
                                 int(rate * max(MAX_AGE, s['age'])), s)

    def live_migrate(self, server_id, block_migration='auto'):
        """POST os-migrateLive at 2.34; the running migration's id."""
        status, body = self.http(
            'POST', '/servers/%s/action' % server_id,
            {'os-migrateLive': {'host': None,
                                'block_migration': block_migration}},
            version='2.34')
        self.assertEqual(202, status, body)
        return self.wait(
            lambda: [m for m in self.migrations(server_id)
                     if m['status'] in ('preparing', 'running')],
            60, 'the migration to start')[0]['id']

    def create_server(self, name, flavor):
        """POST /servers; once it is ACTIVE: (its id, its host's n)."""
        status, body = self.http('POST', '/servers', {'server': {
            'name': name, 'flavorRef': flavor, 'imageRef': 'any',
            'networks': 'none'}})
        self.assertEqual(202, status, body)
        server_id = body['server']['id']
        self.wait(lambda: self.server(server_id)['status'] in (
            'ACTIVE', 'ERROR'), 90, 'the server to boot')
        server = self.server(server_id)
        self.assertEqual('ACTIVE', server['status'], server)
        return server_id, int(server['OS-EXT-SRV-ATTR:host'][-1])

    def boot(self, flavor='42', name='dirty'):
        """A server whose guest runs and says it is ready (the dirtying
        guest: has filled its memory); (id, host n)."""
        server_id, src = self.create_server(name, flavor)
        self.assertEqual('running', self.domain_state(src, server_id))
        self.hosts.wait_guest_ready(src, server_id, timeout=90)
        return server_id, src

    def force_complete_when_iterating(self, name, server_id, mig_id, src):
        """Watch until pre-copy is past its first pass, then
        force-complete (2.22): it completes and runs on the other host."""
        def iterating(samples):
            return self.memory_moved(samples) >= 4 and \
                (samples[-1]['iteration'] or 0) >= 2
        self.watch(name, server_id, mig_id, src, until=iterating)
        status, body = self.http(
            'POST', '/servers/%s/migrations/%s/action' % (server_id, mig_id),
            {'force_complete': None}, version='2.22')
        self.assertEqual(202, status, body)
        self.assertEqual('completed', self.wait_final(server_id))
        self.assert_runs_on(server_id, 3 - src)

    def delete(self, server_id, n):
        """DELETE the server; its guest goes from host ``n``."""
        self.assertEqual(204, self.http('DELETE', '/servers/%s'
                                        % server_id)[0])
        self.wait(lambda: self.domain_state(n, server_id) is None, 60,
                  'the guest to be destroyed')

    def wait_final(self, server_id):
        self.wait(lambda: self.migrations(server_id)[0]['status'] in FINAL,
                  60, 'the migration to end')
        self.wait(lambda: self.server(server_id)['OS-EXT-STS:task_state']
                  is None, 30, 'the task to end')
        return self.migrations(server_id)[0]['status']

    def assert_runs_on(self, server_id, n):
        """The server is ACTIVE on compute ``n``, its guest runs (CPU time
        advances) on host ``n`` and is on no other host."""
        server = self.server(server_id)
        self.assertEqual(('ACTIVE', 'compute%d' % n), (
            server['status'], server['OS-EXT-SRV-ATTR:host']))
        self.assertEqual('running', self.domain_state(n, server_id))
        self.assertIsNone(self.domain_state(3 - n, server_id))
        dom = self.conn(n).lookupByUUIDString(server_id)
        before = dom.info()[4]
        time.sleep(0.5)
        self.assertGreater(dom.info()[4], before)

    def compute_log(self, n):
        with open(os.path.join(self.tmp, 'compute%d.log' % n),
                  errors='replace') as f:
            return f.read()


class KvmRestApiTest(_KvmApiScenario, base.TestCase):
    # Converges at the 777 ms step, some 13 s in: many samples of memory
    # moving.
    LIVE_MIGRATION = {'downtime': 1000, 'downtime_steps': 3,
                      'downtime_delay': 3, 'completion_timeout': 60}

    def test_live_migrate_then_abort_through_the_api(self):
        self.deploy()
        server_id, src = self.boot()
        dst = 3 - src

        # 1. A live migration that completes.
        mig_id = self.live_migrate(server_id)
        self.watch('live-migration', server_id, mig_id, src,
                   until=lambda samples: False)
        self.assertEqual('completed', self.wait_final(server_id))
        self.assert_runs_on(server_id, dst)

        # 2. Back again, aborted once memory moves.
        src, dst = dst, src
        mig_id = self.live_migrate(server_id)

        def moved_enough(samples):
            return self.memory_moved(samples) >= 6
        self.watch('abort', server_id, mig_id, src, until=moved_enough)
        status, body = self.http(
            'DELETE', '/servers/%s/migrations/%s' % (server_id, mig_id),
            version='2.24')
        self.assertEqual(202, status, body)
        self.assertEqual('cancelled', self.wait_final(server_id))
        self.assert_runs_on(server_id, src)

        # Delete: the guest goes from its host.
        self.delete(server_id, src)


class KvmPostCopyAndStallTest(_KvmApiScenario, base.TestCase):
    # 100 ms at most: the 32 MiB hot set (some 640 ms at 50 MiB/s) never
    # converges. The stall detector judges after 8 s and 3 iterations
    # without the remaining bytes going down.
    LIVE_MIGRATION = {'downtime': 100, 'downtime_steps': 3,
                      'downtime_delay': 3, 'completion_timeout': 60,
                      'permit_post_copy': True, 'stall_timeout': 8,
                      'stall_iterations': 3, 'stall_action': 'abort'}

    def test_force_complete_post_copy_then_stall_detector(self):
        self.deploy()
        server_id, src = self.boot()
        dst = 3 - src

        # 1. Force-complete once pre-copy is past its first pass: post-copy.
        mig_id = self.live_migrate(server_id)
        self.force_complete_when_iterating(
            'force-complete (pre-copy part)', server_id, mig_id, src)
        self.assertIn('Switching the live migration of %s to post-copy'
                      % server_id, self.compute_log(src))

        # 2. Back again, left alone: it never converges, the stall
        # detector aborts it and the guest stays on its source.
        src, dst = dst, src
        mig_id = self.live_migrate(server_id)
        self.watch('stall', server_id, mig_id, src, until=lambda s: False)
        self.assertIn(self.wait_final(server_id), ('cancelled', 'failed'))
        self.assert_runs_on(server_id, src)
        log = self.compute_log(src)
        self.assertIn('Aborting the live migration of %s: stalled'
                      % server_id, log)


class KvmComputeKilledTest(_KvmApiScenario, base.TestCase):
    # Never converges (100 ms), no timeout, no stall detector: only the
    # restarted compute can end it.
    LIVE_MIGRATION = {'downtime': 100, 'downtime_steps': 3,
                      'downtime_delay': 3, 'completion_timeout': 0,
                      'stall_timeout': 0}

    def job_type(self, n, server_id):
        try:
            return self.conn(n).lookupByUUIDString(
                server_id).jobStats().get('type')
        except self.libvirt.libvirtError:
            return None

    def test_source_compute_killed_mid_migration(self):
        self.deploy()
        server_id, src = self.boot()
        dst = 3 - src
        mig_id = self.live_migrate(server_id)

        def moving(samples):
            return self.memory_moved(samples) >= 4
        self.watch('compute killed', server_id, mig_id, src, until=moving)
        host = 'compute%d' % src
        self.procs[host].send_signal(signal.SIGKILL)
        self.procs[host].wait(10)
        time.sleep(1)
        # The compute is gone; the migration it started is not:
        # libvirtd drives a peer-to-peer migration on its own.
        self.truth['compute killed']['job_after_kill'] = self.job_type(
            src, server_id)
        self.assertEqual('running', self.migrations(server_id)[0]['status'])
        self.start('migrator-compute', host)
        self.assertEqual('error', self.wait_final(server_id))
        # The restarted compute ended the orphaned job: the guest stays
        # on its source, nothing is left on the destination.
        self.wait(lambda: self.job_type(src, server_id) not in ACTIVE_JOBS,
                  30, 'no migration job left on the source')
        self.wait(lambda: self.domain_state(dst, server_id) is None, 30,
                  'nothing left on the destination')
        self.assert_runs_on(server_id, src)

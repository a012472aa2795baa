"""One live-migration scenario between the KVM hosts 1 and 2 that
kvm_hosts started under BASE: the guest is spawned, checked, migrated and
cleaned up through LibvirtDriver, and the migration is steered by the
driver-neutral LiveMigrationMonitor. Runs in the machine's own network
namespace (the hosts are reachable from it) and prints one JSON line of
results for the test to check::

    python -m migrator.tests.integration.libvirt.kvm_scenario
        {migrate|abort} BASE
"""
import json
import os
import queue
import sys
import threading
import time
import uuid

from oslo_config import cfg

from migrator.conf import libvirt as libvirt_conf
from migrator.conf import live_migration as lm_conf_module
from migrator.virt import driver
from migrator.virt.libvirt import driver as libvirt_driver
from migrator.virt import migration_monitor
from migrator.virt import migration_policy

from migrator.tests.integration.libvirt import kvm_hosts

URI = 'qemu+tcp://%s/system'
SAMPLE_KEYS = ('type', 'memory_total', 'memory_processed',
               'memory_remaining', 'memory_iteration', 'downtime')


def make_conf(uri, boot_image, inbound_addr, **lm_overrides):
    """Options of one host's driver; its guests' serial consoles go to
    kvm_hosts' console directory."""
    conf = cfg.ConfigOpts()
    libvirt_conf.register_opts(conf)
    lm_conf_module.register_opts(conf)
    conf([], project='migrator', default_config_files=[])
    for name, value in (('connection_uri', uri), ('virt_type', 'kvm'),
                        ('boot_image', boot_image),
                        ('console_log_dir', kvm_hosts.Hosts.CONSOLE_LOG_DIR),
                        ('live_migration_inbound_addr', inbound_addr)):
        conf.set_override(name, value, group='libvirt')
    for name, value in lm_overrides.items():
        conf.set_override(name, value, group='live_migration')
    return conf


class RecordingJob(object):
    """The driver's MigrationJob, with every stats sample kept."""

    def __init__(self, job):
        self._job = job
        self._t0 = time.monotonic()
        self.samples = []

    def get_job_stats(self):
        stats = self._job.get_job_stats()
        record = {k: stats[k] for k in SAMPLE_KEYS if k in stats}
        record['t'] = round(time.monotonic() - self._t0, 2)
        self.samples.append(record)
        return stats

    def moving(self):
        return any(s.get('type') == driver.JOB_UNBOUNDED and
                   s.get('memory_processed', 0) > 0 for s in self.samples)

    def __getattr__(self, name):
        return getattr(self._job, name)


class Scenario(object):

    def __init__(self, base, **lm_overrides):
        image = base + '/boot.img'
        with open(os.path.join(base, 'state.json')) as f:
            prefix = json.load(f)['prefix']
        self.base = base
        src_addr, dst_addr = prefix + '1', prefix + '2'
        self.conf = make_conf(URI % src_addr, image, src_addr,
                              **lm_overrides)
        self.src = libvirt_driver.LibvirtDriver(self.conf)
        self.dst = libvirt_driver.LibvirtDriver(
            make_conf(URI % dst_addr, image, dst_addr))
        guest_uuid = str(uuid.uuid4())
        self.guest = {'uuid': guest_uuid, 'name': 'mig-%s' % guest_uuid[:8],
                      'vcpus': 1, 'memory_mb': 512, 'root_gb': 0,
                      'ephemeral_gb': 0, 'extra_specs': {}, 'metadata': {}}
        self.commands = queue.Queue()
        self.progress = []
        self.statuses = []

    def start(self):
        """Spawn on host 1, wait until the guest has filled its memory
        (its serial console says so: migrating earlier moves mostly zero
        pages and proves little), run the checks, start the migration to
        host 2."""
        guest, src, dst = self.guest, self.src, self.dst
        src.spawn(guest)
        kvm_hosts.wait_console(os.path.join(
            self.base, 'host1', 'log', 'qemu', '%s.log' % guest['uuid']))
        data = dst.check_can_live_migrate_destination(
            guest, src.get_available_resource(), False)
        data = src.check_can_live_migrate_source(guest, data)
        self.migrate_data = dst.pre_live_migration(guest, data)
        lm = self.conf.live_migration
        data_gb = migration_policy.guest_data_gb(guest, False)
        params = migration_policy.start_params(lm, False, data_gb)
        self.job = RecordingJob(src.start_live_migration(
            guest, 'host2', self.migrate_data, params))
        self.monitor = migration_monitor.LiveMigrationMonitor(
            self.job, lm, data_gb, self.commands, self.progress.append,
            self.statuses.append, instance_uuid=guest['uuid'])
        self.t0 = time.monotonic()

    def result(self, outcome):
        # The monitor can see the end before migrateToURI3 returns.
        self.job.wait(30)
        error = self.job.error()
        return {'status': outcome.status, 'reason': outcome.reason,
                'samples': self.job.samples,
                'last_progress': self.progress[-1] if self.progress else None,
                'error_type': type(error).__name__ if error else None,
                'seconds': round(time.monotonic() - self.t0, 1)}

    def cleanup(self):
        for drv in (self.src, self.dst):
            try:
                drv.destroy(self.guest)
            finally:
                drv.cleanup_host()


def cpu_time(drv, guest):
    return drv.host.lookup(guest['uuid']).info()[4]


def run_migrate(base):
    """50 MiB/s; downtime steps 333, 555, 777, 1000 ms every 6 s: the
    32 MiB hot set needs about 640 ms at that speed, so the migration
    runs some 13 s (pre-copy passes until the 777 ms step) and the monitor
    samples it many times even when a busy host delays a few samples (at
    100 MiB/s it converged at the first step, in under 3 s, and a loaded
    machine could leave it with no sample of memory moving). The
    monitor's completion timeout (30 s/GiB x 2 GiB) aborts a run that
    hangs."""
    sc = Scenario(base, bandwidth=50, downtime=1000, downtime_steps=3,
                  downtime_delay=3, completion_timeout=30)
    try:
        sc.start()
        outcome = sc.monitor.run()
        result = sc.result(outcome)
        if outcome.status == migration_monitor.COMPLETED:
            guest, src, dst = sc.guest, sc.src, sc.dst
            src.post_live_migration_at_source(guest)
            dst.post_live_migration_at_destination(guest, sc.migrate_data)
            before = cpu_time(dst, guest)
            time.sleep(0.5)
            result.update(
                dest_cpu_advanced=cpu_time(dst, guest) > before,
                dest_power=dst.get_power_state(guest),
                on_dest=guest['uuid'] in dst.list_instance_uuids(),
                on_source=guest['uuid'] in src.list_instance_uuids(),
                persistent_on_dest=bool(
                    dst.host.lookup(guest['uuid']).isPersistent()))
        return result
    finally:
        sc.cleanup()


def run_abort(base):
    """50 MiB/s and 33 ms max downtime (never converges); an operator
    abort once memory is moving."""
    sc = Scenario(base, bandwidth=50, downtime=100, downtime_steps=3,
                  downtime_delay=3, completion_timeout=30)
    try:
        sc.start()
        outcomes = []
        thread = threading.Thread(
            target=lambda: outcomes.append(sc.monitor.run()), daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not sc.job.moving() and time.monotonic() < deadline:
            time.sleep(0.1)
        sc.commands.put(migration_monitor.ABORT)
        thread.join(30)
        result = sc.result(outcomes[0])
        sc.dst.rollback_live_migration_at_destination(sc.guest,
                                                      sc.migrate_data)
        result.update(
            active_on_source=sc.job.guest_active_on_source(),
            source_power=sc.src.get_power_state(sc.guest),
            on_dest=sc.guest['uuid'] in sc.dst.list_instance_uuids())
        return result
    finally:
        sc.cleanup()


SCENARIOS = {'migrate': run_migrate, 'abort': run_abort}


def main(argv):
    scenario, base = argv[1], argv[2]
    print(json.dumps(SCENARIOS[scenario](base)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

"""Test helpers for the virt unit tests: config, a fake clock, jobs."""
import queue

from oslo_config import cfg

from migrator.conf import fake_driver as fake_driver_conf
from migrator.conf import live_migration as lm_conf
from migrator.virt import driver
from migrator.virt.fake import driver as fake_driver
from migrator.virt import migration_monitor
from migrator.virt import migration_policy

MIB = 1024 * 1024
GIB = 1024 * MIB


def make_conf(live_migration=None, fake=None):
    conf = cfg.ConfigOpts()
    # By group name, not the modules' OptGroup objects: those hold the
    # overrides, which would leak from one conf (and test) to the next.
    conf.register_opts(fake_driver_conf.fake_opts, group='fake_driver')
    conf.register_opts(lm_conf.lm_opts, group='live_migration')
    conf([], project='migrator-test')
    for name, value in (live_migration or {}).items():
        conf.set_override(name, value, group='live_migration')
    for name, value in (fake or {}).items():
        conf.set_override(name, value, group='fake_driver')
    return conf


def make_guest(uuid='11111111-2222-3333-4444-555555555555', memory_mb=2048,
               root_gb=20, ephemeral_gb=0, metadata=None, extra_specs=None):
    return {'uuid': uuid, 'name': 'guest-' + uuid[:8], 'vcpus': 1,
            'memory_mb': memory_mb, 'root_gb': root_gb,
            'ephemeral_gb': ephemeral_gb, 'extra_specs': extra_specs or {},
            'metadata': metadata or {}}


class FakeClock(object):
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


class SteppedSleep(object):
    """A ``sleep`` that moves the fake clock and the job together.

    No waiting: the monitor under test runs as fast as Python does.
    """

    def __init__(self, clock, job=None):
        self.clock = clock
        self.job = job

    def __call__(self, seconds):
        self.clock.now += seconds
        if self.job is not None:
            self.job.step(seconds)


class ScriptedJob(driver.MigrationJob):
    """A MigrationJob whose stats come from ``stats_at(elapsed)``."""

    def __init__(self, clock, stats_at):
        self.clock = clock
        self.start = clock()
        self.stats_at = stats_at
        self.calls = []
        self.cancelled = False

    def get_job_stats(self):
        if self.cancelled:
            return {'type': driver.JOB_CANCELLED}
        return self.stats_at(self.clock() - self.start)

    def is_finished(self):
        return self.cancelled

    def error(self):
        return None

    def set_max_downtime(self, milliseconds):
        self.calls.append(('set_max_downtime', milliseconds))

    def set_max_speed(self, mib_per_second):
        self.calls.append(('set_max_speed', mib_per_second))

    def start_postcopy(self):
        self.calls.append(('start_postcopy',))

    def pause_guest(self):
        self.calls.append(('pause_guest',))

    def resume_guest(self):
        self.calls.append(('resume_guest',))

    def abort(self):
        self.calls.append(('abort',))
        self.cancelled = True

    def guest_active_on_source(self):
        return True


class Recorder(object):
    """The compute manager's side: records saves and statuses."""

    def __init__(self, clock):
        self.clock = clock
        self.saves = []         # (time, progress dict)
        self.statuses = []
        self.writes = []        # (time, status or None): each write

    def save_progress(self, progress, status=None):
        self.saves.append((self.clock(), dict(progress)))
        self.writes.append((self.clock(), status))

    def set_status(self, status):
        self.statuses.append(status)
        self.writes.append((self.clock(), status))


class SimulatedMigration(object):
    """A source and a destination fake host, a guest, the monitor wired
    to a fake clock: ``run()`` plays the whole migration with no sleeping.
    """

    def __init__(self, live_migration=None, fake=None, guest=None,
                 block_migration=False, start_status=None, save_final=None):
        self.conf = make_conf(live_migration, fake)
        self.source = fake_driver.FakeDriver(self.conf)
        self.source.init_host('src')
        self.source.autostart_migrations = False
        self.dest = fake_driver.FakeDriver(self.conf)
        self.dest.init_host('dst')
        self.guest = guest or make_guest()
        self.block_migration = block_migration
        self.source.spawn(self.guest)
        self.data_gb = migration_policy.guest_data_gb(self.guest,
                                                      block_migration)
        params = migration_policy.start_params(
            self.conf.live_migration, block_migration, self.data_gb)
        migrate_data = self.dest.check_can_live_migrate_destination(
            self.guest, self.source.get_available_resource(),
            block_migration)
        self.dest.pre_live_migration(self.guest, migrate_data)
        self.job = self.source.start_live_migration(
            self.guest, 'dst', migrate_data, params)
        self.clock = FakeClock()
        self.recorder = Recorder(self.clock)
        self.commands = queue.Queue()
        self.monitor = migration_monitor.LiveMigrationMonitor(
            self.job, self.conf.live_migration, self.data_gb, self.commands,
            self.recorder.save_progress, self.recorder.set_status,
            instance_uuid=self.guest['uuid'], clock=self.clock,
            sleep=SteppedSleep(self.clock, self.job),
            start_status=start_status, save_final=save_final)

    def run(self):
        return self.monitor.run()

    @property
    def progresses(self):
        return [p for _, p in self.recorder.saves]

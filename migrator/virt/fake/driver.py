"""The fake driver: one simulated hypervisor host.

Each FakeDriver owns one host's guests, in memory. Several may live in one
process (``migrator-all`` runs N simulated hosts) or in separate ones, so a
source never reaches into its destination: the destination learns of a
guest only through ``pre_live_migration`` and
``post_live_migration_at_destination``, as with a real hypervisor.

A guest's migration behaviour comes from its metadata, then its flavor's
extra specs, then ``[fake_driver]``:

=======================  ======================  ===========================
metadata                 extra spec              meaning
=======================  ======================  ===========================
sim_dirty_rate_mib       sim:dirty_rate_mib      MiB/s the guest dirties
sim_working_set_mib      sim:working_set_mib     MiB the guest writes to
sim_fail_at_percent      sim:fail_at_percent     transfer fails at this %
sim_fail_resize_step     sim:fail_resize_step    this cold-migration step
                                                 fails: ``finish``,
                                                 ``confirm`` or ``revert``
=======================  ======================  ===========================

PMEM namespaces (``[libvirt] pmem_namespaces``) are files of their size
under ``[fake_driver] pmem_dir``/<host>/ (see ``migrator.virt.pmem``).
"""
import json
import os
import threading

from oslo_config import cfg
from oslo_log import log as logging

from migrator import exception
from migrator.virt import driver
from migrator.virt.fake import job as fake_job
from migrator.virt.fake import simulation
from migrator.virt.fake import volumes as fake_volumes
from migrator.virt import pmem as pmem_namespaces

LOG = logging.getLogger(__name__)

_GUEST_KNOBS = ('dirty_rate_mib', 'working_set_mib', 'fail_at_percent')


def guest_knob(guest, name):
    """A float simulation knob of ``guest``, or None if it sets none."""
    for value in ((guest.get('metadata') or {}).get('sim_' + name),
                  (guest.get('extra_specs') or {}).get('sim:' + name)):
        if value not in (None, ''):
            try:
                return float(value)
            except (TypeError, ValueError):
                LOG.warning('Ignoring non-numeric simulation knob %s=%r of '
                            'guest %s', name, value, guest.get('uuid'))
    return None


class FakeDriver(driver.VolumeDriverMixin, driver.ComputeDriver):
    """A simulated hypervisor host (see the module docstring)."""

    def __init__(self, conf):
        self.conf = conf
        self.host = None
        self._lock = threading.RLock()
        self._guests = {}      # uuid -> guest dict + 'power_state'
        self._incoming = {}    # uuid -> guest prepared by pre_live_migration
        self._jobs = {}        # uuid -> FakeMigrationJob out of this host
        # Tests turn this off and drive each job with job.step(seconds).
        self.autostart_migrations = True
        self.volumes = fake_volumes.FakeVolumes()

    @property
    def _opts(self):
        return self.conf.fake_driver

    # -- host ---------------------------------------------------------------
    def init_host(self, host):
        self.host = host
        self._pmem = self._namespaces(host)
        if self._pmem is not None:
            self._pmem.prepare()
        LOG.info('Simulated hypervisor host %s: %d vCPU, %d MiB, %d GiB, '
                 'link %d MiB/s, time scale %s', host, self._opts.vcpus,
                 self._opts.memory_mb, self._opts.local_gb,
                 self._opts.link_bandwidth_mib, self._opts.time_scale)

    def cleanup_host(self):
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.stop()

    def cpu_info(self):
        opts = self._opts
        return json.dumps({
            'arch': opts.cpu_arch, 'model': opts.cpu_model,
            'vendor': opts.cpu_vendor,
            'topology': {'cells': 1, 'sockets': 1, 'cores': opts.vcpus,
                         'threads': 1},
            'features': sorted(opts.cpu_features)})

    def get_available_resource(self):
        opts = self._opts
        with self._lock:
            guests = list(self._guests.values()) + list(
                self._incoming.values())
        return {
            'hypervisor_hostname': self.host,
            'hypervisor_type': opts.hypervisor_type,
            'hypervisor_version': opts.hypervisor_version,
            'cpu_info': self.cpu_info(),
            'vcpus': opts.vcpus, 'memory_mb': opts.memory_mb,
            'local_gb': opts.local_gb,
            'vcpus_used': sum(g.get('vcpus', 0) for g in guests),
            'memory_mb_used': sum(g.get('memory_mb', 0) for g in guests),
            'local_gb_used': sum(g.get('root_gb', 0) +
                                 g.get('ephemeral_gb', 0) for g in guests),
        }

    # -- guests -------------------------------------------------------------
    def list_instance_uuids(self):
        with self._lock:
            return list(self._guests)

    def spawn(self, guest):
        with self._lock:
            self._guests[guest['uuid']] = dict(guest,
                                               power_state=driver.RUNNING)
        LOG.info('Simulated guest %s started on %s', guest['uuid'],
                 self.host)

    def restore_guest(self, guest):
        # The simulated host forgets its guests when the process stops;
        # the records say they run here, so they run here again.
        self.spawn(guest)
        return True

    def destroy(self, guest):
        uuid = guest['uuid']
        with self._lock:
            job = self._jobs.pop(uuid, None)
            self._guests.pop(uuid, None)
            self._incoming.pop(uuid, None)
        # A guest that is gone from here (moved away, reverted, deleted)
        # has no disks here any more.
        self.volumes.forget(guest)
        if job is not None and not job.is_finished():
            try:
                job.abort()
            except exception.MigrationError:
                LOG.warning('Could not abort the migration of destroyed '
                            'guest %s', uuid)
            job.stop()

    def get_power_state(self, guest):
        with self._lock:
            record = self._guests.get(guest['uuid'])
            if record is None:
                raise exception.InstanceNotFound(instance_id=guest['uuid'])
            return record['power_state']

    def _namespaces(self, host):
        """The simulated host's file-backed namespaces, or None when
        ``[libvirt] pmem_namespaces`` configures none."""
        try:
            configured = self.conf.libvirt.pmem_namespaces
        except cfg.NoSuchOptError:
            return None
        if not configured:
            return None
        base = self._opts.pmem_dir or os.path.join(self.conf.state_path,
                                                   'pmem')
        return pmem_namespaces.FileNamespaces(
            os.path.join(base, host), configured,
            self._opts.pmem_namespace_mb * simulation.MIB)

    def get_pmem_namespaces(self):
        if getattr(self, '_pmem', None) is None:
            return []
        return self._pmem.list()

    def _fail_if_asked(self, guest, step):
        wanted = ((guest.get('metadata') or {}).get('sim_fail_resize_step')
                  or (guest.get('extra_specs') or {}).get(
                      'sim:fail_resize_step'))
        if wanted == step:
            raise exception.DriverError(
                reason='simulated failure of the %s step of guest %s'
                       % (step, guest['uuid']))

    def power_off(self, guest):
        with self._lock:
            if guest['uuid'] not in self._guests:
                raise exception.InstanceNotFound(instance_id=guest['uuid'])
            self._guests[guest['uuid']]['power_state'] = driver.SHUTDOWN
        LOG.info('Simulated guest %s powered off on %s', guest['uuid'],
                 self.host)

    def power_on(self, guest):
        with self._lock:
            record = self._guests.get(guest['uuid'])
            if record is None:
                # A restarted simulation forgot it: define it again.
                record = self._guests[guest['uuid']] = dict(guest)
            record['power_state'] = driver.RUNNING
        LOG.info('Simulated guest %s powered on on %s', guest['uuid'],
                 self.host)

    def finish_migration(self, guest, power_on):
        self._fail_if_asked(guest, 'finish')
        super().finish_migration(guest, power_on)

    def confirm_migration(self, guest):
        """The source's copy of a guest that moved is removed."""
        self._fail_if_asked(guest, 'confirm')
        self.destroy(guest)

    def revert_migration(self, guest):
        """The destination's copy of a guest that goes back is removed."""
        self._fail_if_asked(guest, 'revert')
        self.destroy(guest)

    def _set_power_state(self, uuid, state):
        with self._lock:
            if uuid in self._guests:
                self._guests[uuid]['power_state'] = state

    # -- live migration: checks and preparation ------------------------------
    def check_can_live_migrate_destination(self, guest, source_resources,
                                           block_migration):
        mine = self.get_available_resource()
        self._check_hypervisor(source_resources, mine)
        self._check_cpu(source_resources.get('cpu_info'), mine['cpu_info'])
        free_mb = mine['memory_mb'] - mine['memory_mb_used']
        if guest.get('memory_mb', 0) > free_mb:
            raise exception.InsufficientResources(
                host=self.host,
                reason='%d MiB of memory needed, %d MiB free'
                       % (guest['memory_mb'], free_mb))
        return {'dest_host': self.host,
                'block_migration': bool(block_migration)}

    def _check_hypervisor(self, source, mine):
        if source.get('hypervisor_type') != mine['hypervisor_type']:
            raise exception.InvalidHypervisorType(
                reason='source is %s, destination is %s'
                       % (source.get('hypervisor_type'),
                          mine['hypervisor_type']))
        if source.get('hypervisor_version', 0) > mine['hypervisor_version']:
            raise exception.DestinationHypervisorTooOld()

    @staticmethod
    def _check_cpu(source_cpu_info, dest_cpu_info):
        if not source_cpu_info:
            return
        try:
            source = json.loads(source_cpu_info)
        except (TypeError, ValueError):
            raise exception.InvalidCPUInfo(reason='source cpu_info is not '
                                                  'JSON')
        dest = json.loads(dest_cpu_info)
        for key in ('arch', 'vendor'):
            if source.get(key) != dest.get(key):
                raise exception.InvalidCPUInfo(
                    reason='CPU %s differs: source %s, destination %s'
                           % (key, source.get(key), dest.get(key)))
        missing = set(source.get('features', [])) - set(dest['features'])
        if missing:
            raise exception.InvalidCPUInfo(
                reason='destination CPU lacks %s'
                       % ', '.join(sorted(missing)))

    def check_can_live_migrate_source(self, guest, dest_check_data):
        with self._lock:
            if guest['uuid'] not in self._guests:
                raise exception.InstanceNotFound(instance_id=guest['uuid'])
            job = self._jobs.get(guest['uuid'])
        if job is not None and not job.is_finished():
            raise exception.MigrationPreCheckError(
                reason='guest %s is already migrating' % guest['uuid'])
        return dest_check_data

    def pre_live_migration(self, guest, migrate_data):
        # The destination reserves room for the incoming guest.
        with self._lock:
            self._incoming[guest['uuid']] = dict(guest)
        return migrate_data

    def rollback_live_migration_at_destination(self, guest, migrate_data):
        with self._lock:
            self._incoming.pop(guest['uuid'], None)

    def post_live_migration_at_destination(self, guest, migrate_data):
        with self._lock:
            self._incoming.pop(guest['uuid'], None)
            self._guests[guest['uuid']] = dict(guest,
                                               power_state=driver.RUNNING)
        LOG.info('Simulated guest %s now runs on %s', guest['uuid'],
                 self.host)

    def post_live_migration_at_source(self, guest):
        with self._lock:
            self._jobs.pop(guest['uuid'], None)
        self.destroy(guest)

    # -- live migration: the transfer ---------------------------------------
    def migration_setup(self, guest, params):
        """The simulation's inputs for migrating ``guest`` with ``params``.
        """
        opts = self._opts
        memory = int(guest.get('memory_mb', 0)) * simulation.MIB
        dirty_mib = guest_knob(guest, 'dirty_rate_mib')
        if dirty_mib is None:
            dirty_mib = opts.guest_dirty_rate_mib
        working_set_mib = guest_knob(guest, 'working_set_mib')
        if working_set_mib is None:
            working_set = int(memory * opts.guest_working_set_ratio)
        else:
            working_set = int(working_set_mib * simulation.MIB)
        disk = 0
        if params.get('block_migration'):
            disk = (int(guest.get('root_gb') or 0) +
                    int(guest.get('ephemeral_gb') or 0)) * simulation.GIB
        permit_post_copy = bool(params.get('permit_post_copy'))
        return simulation.MigrationSetup(
            memory_bytes=memory,
            link_bps=opts.link_bandwidth_mib * simulation.MIB,
            dirty_rate_bps=dirty_mib * simulation.MIB,
            # A zero working set would mean "all memory" to the model.
            working_set_bytes=max(working_set, 1),
            disk_bytes=disk,
            speed_cap_bps=((params.get('bandwidth_mib') or 0) *
                           simulation.MIB),
            max_downtime_ms=params.get('max_downtime_ms') or 300,
            permit_post_copy=permit_post_copy,
            # As with libvirt's flags: auto-converge only without post-copy.
            permit_auto_converge=(bool(params.get('permit_auto_converge'))
                                  and not permit_post_copy),
            fail_at_percent=guest_knob(guest, 'fail_at_percent'))

    def start_live_migration(self, guest, dest_host, migrate_data, params):
        uuid = guest['uuid']
        with self._lock:
            record = self._guests.get(uuid)
            if record is None:
                raise exception.InstanceNotFound(instance_id=uuid)
            running = self._jobs.get(uuid)
            if running is not None and not running.is_finished():
                raise exception.MigrationError(
                    reason='guest %s is already migrating' % uuid)
            # The source knows the guest best: merge what it was spawned
            # with under what the manager passes now.
            setup = self.migration_setup(dict(record, **guest), params)
            sim = simulation.PreCopySimulation(
                setup, tick=self._opts.simulation_tick)
            job = fake_job.FakeMigrationJob(
                sim, uuid, time_scale=self._opts.time_scale,
                on_finish=self._migration_finished,
                on_pause=lambda paused: self._set_power_state(
                    uuid, driver.PAUSED if paused else driver.RUNNING))
            self._jobs[uuid] = job
        LOG.info('Simulated live migration of %(uuid)s from %(src)s to '
                 '%(dst)s: %(mem)d MiB memory, %(disk)d GiB disk, dirty '
                 '%(dirty).1f MiB/s over a %(ws)d MiB working set, link '
                 '%(bw).0f MiB/s',
                 {'uuid': uuid, 'src': self.host, 'dst': dest_host,
                  'mem': setup.memory_bytes // simulation.MIB,
                  'disk': setup.disk_bytes // simulation.GIB,
                  'dirty': setup.dirty_rate_bps / simulation.MIB,
                  'ws': setup.working_set_bytes // simulation.MIB,
                  'bw': sim.bandwidth_bps / simulation.MIB})
        if self.autostart_migrations:
            job.start()
        return job

    def _migration_finished(self, job):
        # Like libvirt's UNDEFINE_SOURCE: a guest that left is gone here.
        if job.simulation.job_type == driver.JOB_COMPLETED:
            with self._lock:
                self._guests.pop(job.guest_uuid, None)

    # -- volumes (see fake/volumes.py) ---------------------------------------
    def attach_volume(self, guest, connection_info, mountpoint):
        self.volumes.attach(guest, connection_info, mountpoint)

    def detach_volume(self, guest, connection_info, mountpoint):
        self.volumes.detach(guest, mountpoint)

    def connect_moved_volume(self, guest, connection_info, mountpoint):
        # Each simulated host keeps its own guests' disks.
        self.volumes.attach(guest, connection_info, mountpoint)

    def swap_volume(self, guest, old_info, new_info, mountpoint,
                    on_percent, cancel=None):
        self.volumes.swap(guest, old_info, new_info, mountpoint,
                          on_percent, cancel)

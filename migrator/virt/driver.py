"""The contract between a compute service and its hypervisor driver.

``virt`` knows nothing of RPC, the REST API or the databases: a driver is
given plain data (dicts built by the compute manager from its objects) and
callbacks, and returns plain data. Job statistics always have the shape of
libvirt's ``virDomainGetJobStats`` so that one monitor serves every driver.

Plain-data shapes
-----------------
``guest`` (what the manager passes about an instance)::

    {'uuid': str, 'name': str, 'vcpus': int, 'memory_mb': int,
     'root_gb': int, 'ephemeral_gb': int,
     'extra_specs': {str: str},      # the flavor's extra specs
     'metadata': {str: str},         # the server's metadata
     'pmem': [namespace, ...]}       # its PMEM namespaces on this host

``namespace`` (``get_pmem_namespaces``, ``guest['pmem']``)::

    {'name': str, 'label': str, 'size': bytes, 'devpath': str,
     'backing': 'file' | 'devdax'}

``resources`` (``get_available_resource``)::

    {'hypervisor_hostname': str, 'hypervisor_type': str,
     'hypervisor_version': int, 'cpu_info': str (JSON),
     'vcpus': int, 'memory_mb': int, 'local_gb': int,
     'vcpus_used': int, 'memory_mb_used': int, 'local_gb_used': int}

``job stats`` (``MigrationJob.get_job_stats``): libvirt's keys, bytes and
seconds as libvirt gives them, missing keys simply absent::

    {'type': JOB_NONE..JOB_CANCELLED, 'time_elapsed': ms,
     'data_total'|'data_processed'|'data_remaining': bytes,
     'memory_total'|'memory_processed'|'memory_remaining': bytes,
     'memory_bps': bytes/s, 'memory_dirty_rate': pages/s,
     'memory_page_size': bytes, 'memory_iteration': int,
     'disk_total'|'disk_processed'|'disk_remaining': bytes,
     'downtime': expected downtime in ms}
"""
import abc

from migrator.virt import host_uptime

# libvirt's virDomainJobType values, shared by every driver's job stats.
JOB_NONE = 0
JOB_BOUNDED = 1
JOB_UNBOUNDED = 2
JOB_COMPLETED = 3
JOB_FAILED = 4
JOB_CANCELLED = 5

# Power states a driver reports for a guest (Nova's numbering).
NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4
CRASHED = 6


class MigrationJob(metaclass=abc.ABCMeta):
    """One live migration in flight out of this host.

    The source compute's monitor samples and steers it; every method must
    be safe to call from the monitor's thread while the transfer runs.
    """

    @abc.abstractmethod
    def get_job_stats(self):
        """Current job statistics (see the module docstring)."""

    @abc.abstractmethod
    def is_finished(self):
        """True once the transfer operation has returned or raised."""

    @abc.abstractmethod
    def error(self):
        """The exception the transfer raised, or None."""

    @abc.abstractmethod
    def set_max_downtime(self, milliseconds):
        """Allow this much guest pause at switch-over."""

    @abc.abstractmethod
    def set_max_speed(self, mib_per_second):
        """Cap the transfer bandwidth (0: no cap)."""

    @abc.abstractmethod
    def start_postcopy(self):
        """Switch to post-copy; only if started with post-copy permitted."""

    @abc.abstractmethod
    def pause_guest(self):
        """Pause the guest so the remaining memory stops changing."""

    @abc.abstractmethod
    def resume_guest(self):
        """Resume a guest paused by ``pause_guest`` (recovery)."""

    @abc.abstractmethod
    def abort(self):
        """Cancel the transfer; the guest keeps running on the source."""

    def guest_active_on_source(self):
        """Whether the guest still runs here (decides FAILED vs COMPLETED
        when stats say NONE after the transfer finished)."""
        return False


class ComputeDriver(metaclass=abc.ABCMeta):
    """What a compute service needs from a hypervisor."""

    # Whether the driver reports migration job statistics at all; when
    # False the progress columns stay null, as seed 001 asks.
    reports_job_stats = True

    def init_host(self, host):
        """Called once when the compute service starts on ``host``."""

    def cleanup_host(self):
        """Called once when the compute service stops."""

    def get_host_uptime(self):
        """The host's ``uptime(1)`` line (os-hypervisors uptime). The
        compute service runs on the host it drives, so both drivers read
        this machine's uptime, users and load."""
        return host_uptime.uptime()

    @abc.abstractmethod
    def get_available_resource(self):
        """The host's inventory and usage (``resources`` shape)."""

    @abc.abstractmethod
    def list_instance_uuids(self):
        """UUIDs of the guests defined on this host."""

    @abc.abstractmethod
    def spawn(self, guest):
        """Create and start ``guest`` on this host."""

    @abc.abstractmethod
    def destroy(self, guest):
        """Stop and remove ``guest`` from this host; no error if absent."""

    def restore_guest(self, guest):
        """Bring back a guest the database says runs here but the driver
        does not know, after the service restarted. Returns whether it
        did. A real hypervisor keeps its guests across a service restart,
        so the default does nothing."""
        return False

    @abc.abstractmethod
    def get_power_state(self, guest):
        """One of the power state constants above."""

    # -- power and cold migration -------------------------------------------
    def power_off(self, guest):
        """Stop the guest (it stays defined on this host)."""
        raise NotImplementedError()

    def power_on(self, guest):
        """Start a guest defined and stopped on this host."""
        raise NotImplementedError()

    def get_pmem_namespaces(self):
        """This host's PMEM namespaces (``namespace`` shape), creating
        what a file-backed namespace needs. [] without any."""
        return []

    def finish_migration(self, guest, power_on):
        """Run on the destination of a cold migration or resize: define
        ``guest`` (with its new flavor and namespaces) here and start it
        if ``power_on``."""
        self.spawn(guest)
        if not power_on:
            self.power_off(guest)

    def confirm_migration(self, guest):
        """Run on the source once a move is confirmed: remove the stopped
        guest left here for a revert."""
        self.destroy(guest)

    def revert_migration(self, guest):
        """Run on the destination when a move is reverted: remove the
        guest from here (it starts again on the source)."""
        self.destroy(guest)

    # -- live migration ---------------------------------------------------
    def check_can_live_migrate_destination(self, guest, source_resources,
                                           block_migration):
        """Run on the destination: raise a MigrationPreCheckError subclass
        (migrator.exception) if the guest cannot come here. Returns a dict
        of driver data passed on to the source check and to the
        migration."""
        return {}

    def check_can_live_migrate_source(self, guest, dest_check_data):
        """Run on the source: raise if the guest cannot leave."""
        return dest_check_data

    def pre_live_migration(self, guest, migrate_data):
        """Run on the destination before the transfer starts."""
        return migrate_data

    @abc.abstractmethod
    def start_live_migration(self, guest, dest_host, migrate_data, params):
        """Run on the source: start the transfer and return a MigrationJob.

        ``params``: {'block_migration': bool, 'bandwidth_mib': int,
        'permit_post_copy': bool, 'permit_auto_converge': bool,
        'max_downtime_ms': int (initial)}. The call returns at once; the
        transfer runs in the background until the job finishes.
        """

    def post_live_migration_at_source(self, guest):
        """Run on the source after success: forget the guest here."""
        self.destroy(guest)

    def post_live_migration_at_destination(self, guest, migrate_data):
        """Run on the destination after success: the guest is now here."""

    def rollback_live_migration_at_destination(self, guest, migrate_data):
        """Run on the destination after a failure: remove what
        ``pre_live_migration`` prepared."""


class VolumeDriverMixin:
    """Volume operations a driver may offer (attach, detach, and a swap
    that copies an attached volume into another while the guest runs).
    ``connection_info`` is what the volume service answers
    (``{'driver_volume_type': 'file', 'data': {'path': ...}}``)."""

    def attach_volume(self, guest, connection_info, mountpoint):
        raise NotImplementedError('attach_volume')

    def detach_volume(self, guest, connection_info, mountpoint):
        raise NotImplementedError('detach_volume')

    def swap_volume(self, guest, old_info, new_info, mountpoint,
                    on_percent, cancel=None):
        """Copy the attached volume into ``new_info`` and switch the guest
        to it; ``on_percent(int)`` reports progress (never going back)."""
        raise NotImplementedError('swap_volume')

    def connect_moved_volume(self, guest, connection_info, mountpoint):
        """The guest now runs on this host (live or cold migration,
        resize, or their revert) with a volume attached at
        ``mountpoint``: make sure this host has it. A driver whose guest
        definition travels with its disks (libvirt) only attaches what
        the guest does not have yet."""
        raise NotImplementedError('connect_moved_volume')


def load_driver(name, conf):
    """The driver called ``name`` ('fake' or 'libvirt')."""
    if name == 'fake':
        from migrator.virt.fake import driver as fake_driver
        return fake_driver.FakeDriver(conf)
    if name == 'libvirt':
        from migrator.virt.libvirt import driver as libvirt_driver
        return libvirt_driver.LibvirtDriver(conf)
    raise ValueError('Unknown compute_driver %r: choose fake or libvirt'
                     % name)

"""The libvirt compute driver: guests and live migrations through
libvirt-python on this host's libvirtd."""
from oslo_log import log as logging

from migrator import exception
from migrator.virt import driver
from migrator.virt.libvirt import guest_config
from migrator.virt.libvirt import host as libvirt_host
from migrator.virt.libvirt import host_resources
from migrator.virt.libvirt import local_disk
from migrator.virt.libvirt import migration
from migrator.virt.libvirt import volumes
from migrator.virt import pmem as pmem_namespaces

LOG = logging.getLogger(__name__)

# virDomainState -> the driver's power states.
_POWER_STATES = {
    0: driver.NOSTATE,    # VIR_DOMAIN_NOSTATE
    1: driver.RUNNING,    # VIR_DOMAIN_RUNNING
    2: driver.RUNNING,    # VIR_DOMAIN_BLOCKED: running, waiting on I/O
    3: driver.PAUSED,     # VIR_DOMAIN_PAUSED
    4: driver.SHUTDOWN,   # VIR_DOMAIN_SHUTDOWN: shutting down
    5: driver.SHUTDOWN,   # VIR_DOMAIN_SHUTOFF
    6: driver.CRASHED,    # VIR_DOMAIN_CRASHED
    7: driver.PAUSED,     # VIR_DOMAIN_PMSUSPENDED
}

# virDomainJobOperation of jobStats()'s "operation" (libvirt >= 3.3).
_JOB_OPERATION_MIGRATION_OUT = 5


class LibvirtDriver(driver.VolumeDriverMixin, driver.ComputeDriver):

    def __init__(self, conf):
        self.conf = conf
        self.host = libvirt_host.Host(conf.libvirt.connection_uri)
        lv_conf = conf.libvirt
        if lv_conf.pmem_backing_dir:
            # Sizes of file-backed namespaces come from their labels.
            self._pmem = pmem_namespaces.FileNamespaces(
                lv_conf.pmem_backing_dir, lv_conf.pmem_namespaces,
                default_size=0)
        else:
            self._pmem = pmem_namespaces.DaxNamespaces(
                lv_conf.pmem_namespaces)

    def init_host(self, host):
        conn = self.host.get_connection()
        LOG.info('libvirt driver on %s: %s (%s %s, libvirt %s)', host,
                 self.host.uri, conn.getType(), conn.getVersion(),
                 conn.getLibVersion())
        self._abort_orphaned_migrations(conn)

    def _abort_orphaned_migrations(self, conn):
        """Abort migrations out of this host that nobody monitors.

        libvirtd drives a peer-to-peer migration on its own: when the
        compute that started one dies, the migration goes on (for ever,
        if the guest never converges, or to completion behind the back
        of the records, which the restarted compute marks interrupted
        with the guest here). When the driver starts, no migration of
        its own runs yet, so every outgoing migration job found is such
        an orphan: it is aborted and the guest stays on this host. One
        already in post-copy cannot be aborted; it is logged."""
        lv = libvirt_host.load_libvirt()
        for dom in conn.listAllDomains(0):
            try:
                if not dom.isActive():
                    continue
                stats = dom.jobStats()
            except lv.libvirtError:
                continue    # gone, or an incoming migration (no stats)
            if stats.get('type') not in (driver.JOB_BOUNDED,
                                         driver.JOB_UNBOUNDED):
                continue
            operation = stats.get('operation', _JOB_OPERATION_MIGRATION_OUT)
            if operation != _JOB_OPERATION_MIGRATION_OUT:
                continue
            try:
                dom.abortJob()
            except lv.libvirtError as e:
                LOG.warning('Guest %s has an outgoing migration nobody '
                            'monitors, and it could not be aborted: %s',
                            dom.UUIDString(), e)
                continue
            LOG.warning('Aborted the outgoing migration of guest %s: its '
                        'compute service had stopped while it ran',
                        dom.UUIDString())

    def cleanup_host(self):
        self.host.close()

    # -- inventory ---------------------------------------------------------
    def get_available_resource(self):
        conn = self.host.get_connection()
        _model, memory_mb, cpus = conn.getInfo()[:3]
        vcpus_used, memory_mb_used = host_resources.guest_usage(
            conn.listAllDomains(0))
        local_gb, local_gb_used = host_resources.local_disk_gb(
            self.conf.libvirt.instances_path)
        return {
            'hypervisor_hostname': conn.getHostname(),
            'hypervisor_type': conn.getType(),
            'hypervisor_version': conn.getVersion(),
            'cpu_info': host_resources.cpu_info(conn.getCapabilities()),
            'vcpus': cpus,
            'memory_mb': memory_mb,
            'local_gb': local_gb,
            'vcpus_used': vcpus_used,
            'memory_mb_used': memory_mb_used,
            'local_gb_used': local_gb_used,
        }

    def list_instance_uuids(self):
        return [dom.UUIDString()
                for dom in self.host.get_connection().listAllDomains(0)]

    # -- guests ------------------------------------------------------------
    def _has_local_disk(self, guest):
        return local_disk.wants_disk(guest, self.conf.libvirt.local_disk_dir)

    def spawn(self, guest):
        lv_conf = self.conf.libvirt
        conn = self.host.get_connection()
        disk_path = None
        if self._has_local_disk(guest):
            disk_path = local_disk.create(conn, lv_conf.local_disk_dir,
                                          guest, lv_conf.boot_image)
        xml = guest_config.domain_xml(guest, lv_conf.virt_type,
                                      lv_conf.boot_image,
                                      lv_conf.console_log_dir,
                                      local_disk=disk_path)
        dom = conn.defineXML(xml)
        try:
            dom.create()
        except libvirt_host.load_libvirt().libvirtError:
            LOG.exception('Guest %s was defined but did not start',
                          guest['uuid'])
            dom.undefine()
            if disk_path:
                local_disk.delete(conn, lv_conf.local_disk_dir, guest)
            raise
        LOG.info('Guest %s (%s) started', guest['uuid'], guest['name'])

    def destroy(self, guest):
        self._destroy_domain(guest)
        if self._has_local_disk(guest):
            local_disk.delete(self.host.get_connection(),
                              self.conf.libvirt.local_disk_dir, guest)

    def _destroy_domain(self, guest):
        lv = libvirt_host.load_libvirt()
        dom = self.host.lookup(guest['uuid'])
        if dom is None:
            return
        try:
            if dom.isActive():
                dom.destroy()
            if dom.isPersistent():
                dom.undefine()
        except lv.libvirtError as e:
            # Gone in the meantime (a transient domain vanishes when it
            # stops; a migration may just have taken it): nothing to do.
            if not libvirt_host.is_error(e, 'VIR_ERR_NO_DOMAIN'):
                raise
        LOG.info('Guest %s destroyed', guest['uuid'])

    def get_pmem_namespaces(self):
        self._pmem.prepare()
        return self._pmem.list()

    def power_off(self, guest):
        dom = self.host.lookup(guest['uuid'])
        if dom is None:
            raise exception.InstanceNotFound(instance_id=guest['uuid'])
        if dom.isActive():
            dom.destroy()
        LOG.info('Guest %s powered off', guest['uuid'])

    def power_on(self, guest):
        dom = self.host.lookup(guest['uuid'])
        if dom is None:
            raise exception.InstanceNotFound(instance_id=guest['uuid'])
        if not dom.isActive():
            dom.create()
        LOG.info('Guest %s powered on', guest['uuid'])

    def get_power_state(self, guest):
        dom = self.host.lookup(guest['uuid'])
        if dom is None:
            return driver.NOSTATE
        return _POWER_STATES.get(dom.info()[0], driver.NOSTATE)

    # -- live migration ----------------------------------------------------
    def check_can_live_migrate_destination(self, guest, source_resources,
                                           block_migration):
        conn = self.host.get_connection()
        source_type = source_resources.get('hypervisor_type')
        if source_type != conn.getType():
            raise exception.InvalidHypervisorType(
                reason='source is %s, this host is %s'
                       % (source_type, conn.getType()))
        if source_resources.get('hypervisor_version', 0) > conn.getVersion():
            raise exception.DestinationHypervisorTooOld()
        self._compare_cpu(conn, source_resources.get('cpu_info'))
        has_disk = self._has_local_disk(guest)
        if block_migration is None:
            # "auto": local disks are never on shared storage here.
            block_migration = has_disk
        elif has_disk and not block_migration:
            raise exception.MigrationPreCheckError(
                reason='guest %s has a local disk and no shared storage: '
                       'it needs block migration' % guest['uuid'])
        return {'block_migration': bool(block_migration),
                'target_connect_addr':
                    self.conf.libvirt.live_migration_inbound_addr}

    @staticmethod
    def _compare_cpu(conn, source_cpu_info):
        """Raise InvalidCPUInfo if this host's CPU cannot run a guest that
        runs on the source CPU."""
        lv = libvirt_host.load_libvirt()
        if not source_cpu_info:
            return
        try:
            result = conn.compareCPU(host_resources.cpu_xml(source_cpu_info),
                                     0)
        except lv.libvirtError as e:
            if libvirt_host.is_error(e, 'VIR_ERR_NO_SUPPORT'):
                LOG.debug('This hypervisor cannot compare CPUs: %s', e)
                return
            raise exception.InvalidCPUInfo(reason=str(e)) from e
        if result == lv.VIR_CPU_COMPARE_INCOMPATIBLE:
            raise exception.InvalidCPUInfo(
                reason='this host\'s CPU is incompatible with the source\'s')

    def check_can_live_migrate_source(self, guest, dest_check_data):
        if self._has_local_disk(guest):
            # The destination's empty disk must be the same size.
            dest_check_data = dict(dest_check_data, local_disk_bytes=(
                local_disk.capacity(self.host.get_connection(),
                                    self.conf.libvirt.local_disk_dir,
                                    guest)))
        return dest_check_data

    def start_live_migration(self, guest, dest_host, migrate_data, params):
        lv_conf = self.conf.libvirt
        address = (migrate_data or {}).get('target_connect_addr')
        dest_uri = lv_conf.live_migration_uri % (address or dest_host)
        typed = migration.migration_params(params, address,
                                           lv_conf.live_migration_data_uri)
        flags = migration.migration_flags(params)
        job = migration.LibvirtMigrationJob(self.host, guest['uuid'],
                                            dest_uri, typed, flags)
        if params.get('max_downtime_ms'):
            self._set_initial_downtime(job, params['max_downtime_ms'])
        return job.start()

    @staticmethod
    def _set_initial_downtime(job, milliseconds):
        try:
            job.set_max_downtime(milliseconds)
        except exception.MigrationError as e:
            # Not fatal: the migration starts with libvirt's default and
            # the monitor's downtime steps still apply.
            LOG.warning('Cannot set the initial max downtime of %s: %s',
                        job.uuid, e)

    def pre_live_migration(self, guest, migrate_data):
        # The empty disk the block migration fills (libvirt would make one
        # only where a pool covers the path; made here, it always is).
        if (migrate_data or {}).get('block_migration') and \
                self._has_local_disk(guest):
            local_disk.create(self.host.get_connection(),
                              self.conf.libvirt.local_disk_dir, guest,
                              size=migrate_data.get('local_disk_bytes'))
        return migrate_data

    def post_live_migration_at_destination(self, guest, migrate_data):
        # PERSIST_DEST has already defined the guest here; make sure.
        lv = libvirt_host.load_libvirt()
        dom = self.host.lookup(guest['uuid'])
        if dom is not None and not dom.isPersistent():
            self.host.get_connection().defineXML(
                dom.XMLDesc(lv.VIR_DOMAIN_XML_MIGRATABLE))

    def rollback_live_migration_at_destination(self, guest, migrate_data):
        # A failed migration can leave the "-incoming" QEMU behind.
        self.destroy(guest)

    # -- volumes (see volumes.py) --------------------------------------------
    def _domain(self, guest):
        dom = self.host.lookup(guest['uuid'])
        if dom is None:
            raise exception.DriverError(
                reason='guest %s is not on this host' % guest['uuid'])
        return dom

    def attach_volume(self, guest, connection_info, mountpoint):
        volumes.attach(self._domain(guest),
                       connection_info['data']['path'], mountpoint)

    def detach_volume(self, guest, connection_info, mountpoint):
        path = (connection_info or {}).get('data', {}).get('path', '')
        volumes.detach(self._domain(guest), path, mountpoint)

    def connect_moved_volume(self, guest, connection_info, mountpoint):
        dom = self._domain(guest)
        if not volumes.has_disk(dom, mountpoint):
            volumes.attach(dom, connection_info['data']['path'], mountpoint)

    def swap_volume(self, guest, old_info, new_info, mountpoint,
                    on_percent, cancel=None):
        volumes.swap(self._domain(guest), new_info['data']['path'],
                     mountpoint, on_percent, cancel,
                     bandwidth_mib=self.conf.libvirt.swap_volume_bandwidth)

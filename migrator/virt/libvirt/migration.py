"""A live migration out of this host: its flags, its parameters, and the
MigrationJob that runs ``migrateToURI3`` and lets the monitor steer it."""
import threading

from oslo_log import log as logging

from migrator import exception
from migrator.virt import driver
from migrator.virt.libvirt import host as libvirt_host
from migrator.virt.libvirt import job_stats

LOG = logging.getLogger(__name__)


def migration_flags(params):
    """virDomainMigrateFlags for the driver's migration ``params``."""
    lv = libvirt_host.load_libvirt()
    flags = (lv.VIR_MIGRATE_LIVE | lv.VIR_MIGRATE_PEER2PEER |
             lv.VIR_MIGRATE_UNDEFINE_SOURCE | lv.VIR_MIGRATE_PERSIST_DEST)
    if params.get('block_migration'):
        flags |= lv.VIR_MIGRATE_NON_SHARED_INC
    post_copy = bool(params.get('permit_post_copy'))
    if post_copy:
        flags |= lv.VIR_MIGRATE_POSTCOPY
    # Auto-converge throttles the guest's vCPUs; post-copy makes that
    # unnecessary, so it only applies when post-copy is not permitted.
    if params.get('permit_auto_converge') and not post_copy:
        flags |= lv.VIR_MIGRATE_AUTO_CONVERGE
    return flags


def migration_params(params, data_address=None, data_uri_template=None):
    """virTypedParameters for migrateToURI3."""
    lv = libvirt_host.load_libvirt()
    typed = {}
    if data_address and data_uri_template:
        typed[lv.VIR_MIGRATE_PARAM_URI] = data_uri_template % data_address
    bandwidth = int(params.get('bandwidth_mib') or 0)
    if bandwidth > 0:
        typed[lv.VIR_MIGRATE_PARAM_BANDWIDTH] = bandwidth
    return typed


class LibvirtMigrationJob(driver.MigrationJob):
    """migrateToURI3 on a thread and connection of its own; stats and
    controls on ``control_host``'s shared connection (a control call behind
    an in-flight migrateToURI3 on the same connection hangs)."""

    def __init__(self, control_host, uuid, dest_uri, typed_params, flags):
        self._control_host = control_host
        self.uuid = uuid
        self.dest_uri = dest_uri
        self.typed_params = typed_params
        self.flags = flags
        self._error = None
        self._abort_requested = False
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._migrate, name='live-migration-%s' % uuid,
            daemon=True)

    def start(self):
        self._thread.start()
        return self

    def wait(self, timeout=None):
        """Wait for the transfer to return; True if it has."""
        return self._done.wait(timeout)

    def _migrate(self):
        lv = libvirt_host.load_libvirt()
        conn = None
        try:
            conn = self._control_host.open_connection()
            dom = conn.lookupByUUIDString(self.uuid)
            LOG.info('Live migration of %s to %s started (flags %#x, '
                     'params %s)', self.uuid, self.dest_uri, self.flags,
                     self.typed_params)
            dom.migrateToURI3(self.dest_uri, self.typed_params, self.flags)
            LOG.info('Live migration of %s to %s returned', self.uuid,
                     self.dest_uri)
        except lv.libvirtError as e:
            self._error = self._translate(e)
            LOG.warning('Live migration of %s failed: %s', self.uuid, e)
        except Exception as e:  # noqa: B902 -- reported through error()
            self._error = e
            LOG.exception('Live migration of %s failed', self.uuid)
        finally:
            if conn is not None:
                try:
                    conn.close()
                except lv.libvirtError:
                    pass
            self._done.set()

    def _translate(self, error):
        # After an abort was asked for, whatever error ends the transfer is
        # that abort taking effect: QEMU does not always say "aborted"
        # (seen on KVM: "Unable to write to monitor: Broken pipe").
        if self._abort_requested or \
                libvirt_host.is_error(error, 'VIR_ERR_OPERATION_ABORTED'):
            exc = exception.LiveMigrationAborted(instance_uuid=self.uuid,
                                                 reason=str(error))
        else:
            exc = exception.MigrationError(reason=str(error))
        exc.__cause__ = error
        return exc

    # -- MigrationJob ------------------------------------------------------
    def is_finished(self):
        return self._done.is_set()

    def error(self):
        return self._error

    def _domain(self):
        # Looked up each time: the shared connection may have been
        # reopened, and a lookup is cheap next to a 0.5 s poll.
        return self._control_host.get_connection().lookupByUUIDString(
            self.uuid)

    def _control(self, what, call):
        """Run ``call(domain)``; libvirt's errors become MigrationError,
        as every driver's controls raise."""
        lv = libvirt_host.load_libvirt()
        try:
            return call(self._domain())
        except lv.libvirtError as e:
            raise exception.MigrationError(
                reason='%s of the migration of %s failed: %s'
                       % (what, self.uuid, e)) from e

    def get_job_stats(self):
        lv = libvirt_host.load_libvirt()
        finished = self.is_finished()
        try:
            stats = job_stats.get_job_stats(self._domain())
        except lv.libvirtError as e:
            if not libvirt_host.is_error(e, 'VIR_ERR_NO_DOMAIN'):
                raise exception.MigrationError(
                    reason='job stats of %s: %s' % (self.uuid, e)) from e
            # Undefined here once it reached the destination.
            stats = {'type': driver.JOB_COMPLETED}
        if finished and stats['type'] == driver.JOB_NONE:
            # libvirt forgets the job once migrateToURI3 returns; how it
            # returned says how the job ended.
            if isinstance(self._error, exception.LiveMigrationAborted):
                stats['type'] = driver.JOB_CANCELLED
            elif self._error is not None:
                stats['type'] = driver.JOB_FAILED
        elif self._abort_requested and stats['type'] == driver.JOB_FAILED:
            # Cutting the stream can make the destination's QEMU fail to
            # load it, and libvirt then calls the job failed (seen on KVM).
            stats['type'] = driver.JOB_CANCELLED
        return stats

    def set_max_downtime(self, milliseconds):
        LOG.info('Live migration of %s: max downtime %d ms', self.uuid,
                 milliseconds)
        self._control('Setting the max downtime', lambda dom:
                      dom.migrateSetMaxDowntime(int(milliseconds), 0))

    def set_max_speed(self, mib_per_second):
        LOG.info('Live migration of %s: max speed %s MiB/s', self.uuid,
                 mib_per_second or 'unlimited')
        self._control('Setting the max speed', lambda dom:
                      dom.migrateSetMaxSpeed(int(mib_per_second), 0))

    def start_postcopy(self):
        LOG.info('Live migration of %s: switching to post-copy', self.uuid)
        self._control('Switching to post-copy',
                      lambda dom: dom.migrateStartPostCopy(0))

    def pause_guest(self):
        LOG.info('Live migration of %s: pausing the guest', self.uuid)
        self._control('Pausing the guest', lambda dom: dom.suspend())

    def resume_guest(self):
        LOG.info('Live migration of %s: resuming the guest', self.uuid)
        self._control('Resuming the guest', lambda dom: dom.resume())

    def abort(self):
        LOG.info('Live migration of %s: aborting', self.uuid)
        self._abort_requested = True
        self._control('Aborting', lambda dom: dom.abortJob())

    def guest_active_on_source(self):
        lv = libvirt_host.load_libvirt()
        try:
            return bool(self._domain().isActive())
        except lv.libvirtError as e:
            if libvirt_host.is_error(e, 'VIR_ERR_NO_DOMAIN'):
                return False
            raise exception.MigrationError(reason=str(e)) from e

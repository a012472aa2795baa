"""What every cold-migration step shares: the ``Move`` it works on and the
way a step is recorded and rolled back."""
import sys

from oslo_log import log as logging
from oslo_utils import excutils

from migrator import exception
from migrator import instance_events
from migrator.objects import instance as instance_obj
from migrator.objects import instance_fault
from migrator.objects import pmem_namespace as pmem_obj
from migrator.virt import driver as virt_driver

LOG = logging.getLogger(__name__)


class Compute:
    """The parts of a compute service the steps use."""

    def __init__(self, host, driver, compute_rpcapi, refresh, cancels):
        self.host = host
        self.driver = driver
        self.compute_rpcapi = compute_rpcapi
        # refresh(context): report this host's usage again.
        self.refresh = refresh
        # {migration uuid: threading.Event} of copies running here.
        self.cancels = cancels


class Move:
    """One cold migration or resize, as a step sees it."""

    def __init__(self, compute, context, instance, migration):
        self.compute = compute
        self.context = context
        self.instance = instance
        self.migration = migration
        self._mctx = None

    @property
    def host(self):
        return self.compute.host

    @property
    def driver(self):
        return self.compute.driver

    @property
    def mctx(self):
        """The migration context (None once the move has ended)."""
        if self._mctx is None:
            self._mctx = pmem_obj.MigrationContext.get_for_migration(
                self.context, self.migration)
        return self._mctx

    def set_status(self, status, expected=None):
        self.migration.status = status
        return self.migration.save(expected_status=expected)

    def guest(self, flavor=None, namespaces=None):
        """The driver's ``guest`` dict, with ``flavor``'s sizes and the
        PMEM namespaces given (dicts)."""
        guest = self.instance.as_guest()
        if flavor is not None:
            guest.update(vcpus=flavor.vcpus, memory_mb=flavor.memory_mb,
                         root_gb=flavor.root_gb,
                         ephemeral_gb=flavor.ephemeral_gb,
                         extra_specs=dict(flavor.extra_specs or {}))
        guest['pmem'] = list(namespaces or [])
        return guest

    def run_step(self, event_name, step, rollback=None):
        """Run ``step()`` recorded as ``event_name`` of the instance
        action; on failure, ``rollback(exc)`` after the event says why,
        then re-raise."""
        try:
            with instance_events.recorded(self.context, self.instance,
                                          event_name, self.host):
                return step()
        except Exception as exc:
            with excutils.save_and_reraise_exception():
                LOG.warning('%s of %s (migration %s) failed on %s: %s',
                            event_name, self.instance.uuid,
                            self.migration.uuid, self.host, exc)
                if rollback is not None:
                    try:
                        rollback(exc)
                    except Exception:
                        LOG.exception('Roll-back of %s for %s failed',
                                      event_name, self.instance.uuid)

    def record_fault(self, exc):
        try:
            instance_fault.InstanceFault.record(
                self.context, self.instance.uuid, exc, host=self.host,
                exc_tb=sys.exc_info()[2])
        except Exception:
            LOG.exception('Could not record the fault of %s',
                          self.instance.uuid)


def apply_flavor(instance, flavor):
    instance.flavor = flavor
    instance.instance_type_id = flavor.id
    instance.vcpus = flavor.vcpus
    instance.memory_mb = flavor.memory_mb
    instance.root_gb = flavor.root_gb
    instance.ephemeral_gb = flavor.ephemeral_gb


def power_state_after(vm_state):
    """Whether a guest that was in ``vm_state`` runs after a move."""
    return vm_state != instance_obj.STOPPED


def guest_power_state(driver, guest):
    try:
        return driver.get_power_state(guest)
    except exception.InstanceNotFound:
        return virt_driver.NOSTATE

"""Exceptions with the HTTP code the API maps them to.

Every exception carries a message format and a ``code``; the API's fault
handling turns ``code`` into Nova's error body, so that a handler never
has to catch an exception only to re-raise it as an HTTP error.
"""
from oslo_log import log as logging

from migrator.i18n import _

LOG = logging.getLogger(__name__)


class MigratorException(Exception):
    msg_fmt = _('An unknown exception occurred.')
    code = 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if 'code' in kwargs:
            self.code = kwargs['code']
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                LOG.exception('Exception %s got bad format arguments %s',
                              type(self).__name__, kwargs)
                message = self.msg_fmt
        self.message = message
        super().__init__(message)

    def format_message(self):
        return self.message


# Families, by HTTP code.
class Invalid(MigratorException):
    msg_fmt = _('Bad request: %(reason)s')
    code = 400


class Forbidden(MigratorException):
    msg_fmt = _('Forbidden')
    code = 403


class NotFound(MigratorException):
    msg_fmt = _('Resource could not be found.')
    code = 404


class Conflict(MigratorException):
    msg_fmt = _('Conflict: %(reason)s')
    code = 409


class ValidationError(Invalid):
    msg_fmt = _('Invalid input: %(detail)s')


class RPCMessageRejected(Invalid):
    """An RPC message this service cannot serve (arguments, context or
    objects it does not understand); the caller of a ``call`` gets this
    back instead of waiting for a timeout."""
    msg_fmt = _('RPC message rejected: %(reason)s')


class ConfigurationError(MigratorException):
    msg_fmt = _('Configuration error: %(reason)s')


# Authorization.
class PolicyNotAuthorized(Forbidden):
    msg_fmt = _("Policy doesn't allow %(action)s to be performed.")


# Not found.
class InstanceNotFound(NotFound):
    msg_fmt = _('Instance %(instance_id)s could not be found.')


class FlavorNotFound(NotFound):
    msg_fmt = _('Flavor %(flavor_id)s could not be found.')


class FlavorExtraSpecNotFound(NotFound):
    msg_fmt = _('Flavor %(flavor_id)s has no extra spec with key %(key)s.')


class MigrationNotFound(NotFound):
    msg_fmt = _('Migration %(migration_id)s could not be found.')


class MigrationNotFoundForInstance(MigrationNotFound):
    msg_fmt = _('Migration %(migration_id)s not found for instance '
                '%(instance_id)s')


class ComputeHostNotFound(NotFound):
    msg_fmt = _('Compute host %(host)s could not be found.')


class ComputeNodeNotFound(NotFound):
    msg_fmt = _('Compute node %(node)s could not be found.')


class ServiceNotFound(NotFound):
    msg_fmt = _('Service %(service_id)s could not be found.')


class HostBinaryNotFound(NotFound):
    msg_fmt = _('Could not find binary %(binary)s on host %(host)s.')


class CellMappingNotFound(NotFound):
    msg_fmt = _('Cell %(uuid)s has no mapping.')


class InstanceMappingNotFound(NotFound):
    msg_fmt = _('Instance %(uuid)s has no mapping to a cell.')


class HostMappingNotFound(NotFound):
    msg_fmt = _('Host %(name)s is not mapped to any cell')


class InstanceActionNotFound(NotFound):
    msg_fmt = _('Action for request_id %(request_id)s on instance '
                '%(instance_uuid)s not found')


class MarkerNotFound(NotFound):
    msg_fmt = _('Marker %(marker)s could not be found.')


# Conflicts.
class InstanceInvalidState(Conflict):
    msg_fmt = _('Instance %(instance_uuid)s in %(attr)s %(state)s. Cannot '
                '%(method)s while the instance is in this state.')


class InstanceIsLocked(Conflict):
    msg_fmt = _('Instance %(instance_uuid)s is locked')


class UnexpectedTaskStateError(Conflict):
    msg_fmt = _('Conflict updating instance %(instance_uuid)s. Expected: '
                '%(expected)s. Actual: %(actual)s')


class FlavorExists(Conflict):
    msg_fmt = _('Flavor with %(field)s %(value)s already exists.')


class ServiceExists(Conflict):
    msg_fmt = _('Service with host %(host)s binary %(binary)s exists.')


class HostMappingExists(Conflict):
    msg_fmt = _('Host %(name)s is already mapped to cell %(cell_uuid)s')


class InstanceMappingExists(Conflict):
    msg_fmt = _('Instance %(uuid)s is already mapped.')


class MigrationNotRunning(Conflict):
    msg_fmt = _('Live migration %(migration_id)s of instance '
                '%(instance_uuid)s is %(state)s, not running: cannot '
                '%(method)s.')


class PostCopyNotPermitted(Conflict):
    msg_fmt = _('Live migration %(migration_id)s of instance '
                '%(instance_uuid)s cannot switch to post-copy: post-copy '
                'was not permitted when it started.')


# Bad requests.
class InvalidMigrationState(Invalid):
    msg_fmt = _('Migration %(migration_id)s state of instance '
                '%(instance_uuid)s is %(state)s. Cannot %(method)s while '
                'the migration is in this state.')


class InvalidSortKey(Invalid):
    msg_fmt = _('Sort key supplied is invalid: %(key)s')


# Live-migration pre-checks. Below microversion 2.34 each is a 400; from
# 2.34 they are recorded on the instance action instead.
class MigrationPreCheckError(Invalid):
    msg_fmt = _('Migration pre-check error: %(reason)s')


class BuildExpired(MigratorException):
    msg_fmt = _('Build of instance %(instance_uuid)s did not finish: '
                '%(reason)s')


class NoValidHost(MigrationPreCheckError):
    msg_fmt = _('No valid host was found. %(reason)s')


class UnableToMigrateToSelf(MigrationPreCheckError):
    msg_fmt = _('Unable to migrate instance (%(instance_id)s) to current '
                'host (%(host)s).')


class ComputeServiceUnavailable(MigrationPreCheckError):
    msg_fmt = _('Compute service of %(host)s is unavailable at this time.')


class InvalidHypervisorType(MigrationPreCheckError):
    msg_fmt = _('The supplied hypervisor type of is invalid: %(reason)s')


class DestinationHypervisorTooOld(MigrationPreCheckError):
    msg_fmt = _('The instance requires a newer hypervisor version than has '
                'been provided.')


class InvalidCPUInfo(MigrationPreCheckError):
    msg_fmt = _('Unacceptable CPU info: %(reason)s')


class InsufficientResources(MigrationPreCheckError):
    msg_fmt = _('Host %(host)s lacks room: %(reason)s')


class MigrationError(MigratorException):
    msg_fmt = _('Migration error: %(reason)s')


class LiveMigrationAborted(MigratorException):
    msg_fmt = _('Live migration of %(instance_uuid)s was aborted: '
                '%(reason)s')


class HypervisorUnavailable(MigratorException):
    msg_fmt = _('Connection to the hypervisor is broken on host %(host)s')


class DriverError(MigratorException):
    msg_fmt = _('Driver error: %(reason)s')


class MigrationContextNotFound(NotFound):
    msg_fmt = _('Instance %(instance_uuid)s has no migration context.')


class MigrationNotFoundByStatus(MigrationNotFound):
    msg_fmt = _('Instance %(instance_id)s has no migration with status '
                '%(status)s.')


class CannotResizeToSameFlavor(Invalid):
    msg_fmt = _('When resizing, instances must change flavor!')


class CannotResizeDisk(Invalid):
    msg_fmt = _('Server disk was unable to be resized because: '
                '%(reason)s')


class CrossCellMoveNotSupported(Invalid):
    msg_fmt = _('Moving instance %(instance_uuid)s to host %(host)s in '
                'another cell is not supported: %(reason)s')


class PmemCopyNotSupported(Conflict):
    msg_fmt = _('The compute service of %(host)s is too old to copy PMEM '
                'data (service version %(version)s, %(required)s needed).')


class ResizeError(MigratorException):
    msg_fmt = _('Resize error: %(reason)s')


class ObjectActionError(MigratorException):
    msg_fmt = _('Object action %(action)s failed because: %(reason)s')


class OrphanedObjectError(MigratorException):
    msg_fmt = _('Cannot call %(method)s on orphaned %(objtype)s object')


# Block storage (volume service, seed 002).
class VolumeNotFound(NotFound):
    msg_fmt = _('Volume %(volume_id)s could not be found.')


class VolumeTypeNotFoundByName(NotFound):
    msg_fmt = _('Volume type with name %(volume_type_name)s could not be '
                'found.')


class VolumeAttachmentNotFound(NotFound):
    msg_fmt = _('Volume %(volume_id)s is not attached to server '
                '%(instance_id)s.')


class InvalidVolume(Invalid):
    msg_fmt = _('Invalid volume: %(reason)s')


class InvalidHost(Invalid):
    msg_fmt = _('Invalid host: %(reason)s')


class VolumeInUse(Conflict):
    msg_fmt = _('Volume %(volume_id)s is still attached, detach volume '
                'first.')


class VolumeBackendError(MigratorException):
    msg_fmt = _('Volume backend error: %(reason)s')


class VolumeMigrationFailed(MigratorException):
    msg_fmt = _('Volume migration failed: %(reason)s')


# Cells.
class CellDown(MigratorException):
    """A cell's database did not answer in time (or failed): the
    caller may try again later."""
    msg_fmt = _('Cell %(cell)s did not answer; try again later.')
    code = 503


# Paths and commands.
class UnsafePath(MigratorException):
    """A path found in a record (database row, RPC argument) lies
    outside what this host is configured to read or write."""
    msg_fmt = _('Refused path %(path)r (%(what)s): %(reason)s')

"""What a compute does about cold migrations when it starts and from time
to time: end the moves a dead service left half-done, free namespaces
claimed by moves that ended elsewhere, and confirm resizes older than
``[DEFAULT] resize_confirm_window``.

At start-up, for each move that involves this host:

=================  ===========  ==========================================
status             this host    what happens
=================  ===========  ==========================================
pre-migrating      destination  claims zeroed and freed; the instance
                                goes back to its state (never touched)
migrating          source       the copy died: destination cleaned, guest
                                started here again with its data, error
post-migrating     destination  finish_resize runs (again)
confirming         source       confirm_resize runs (again)
reverting          destination  revert_resize runs (again)
=================  ===========  ==========================================
"""
import datetime

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from migrator.compute.resize import cleanup
from migrator.compute.resize import common
from migrator.compute.resize import confirm
from migrator.compute.resize import finish
from migrator.compute.resize import revert
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.objects import migration as migration_obj
from migrator.objects import pmem_namespace as pmem_obj

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

_COLD = ['migration', 'resize']


def _with_request_id(context, request_id=None):
    """A copy of the (admin) ``context``, keeping whatever database it
    targets, whose request is ``request_id`` (a new one if None)."""
    ctx = context.elevated()
    ctx.request_id = request_id or migrator_context.RequestContext(
    ).request_id
    return ctx


def _action_context(context, instance_uuid):
    """A context whose request is the instance's latest action, so that
    what recovery does is recorded as events of that action."""
    actions = instance_action.InstanceActionList.get_by_instance_uuid(
        context, instance_uuid, limit=1)
    return _with_request_id(
        context, actions[0].request_id if len(actions) else None)


def _moves(compute, context, statuses, side):
    key = 'source_compute' if side == 'source' else 'dest_compute'
    for migration in migration_obj.MigrationList.get_by_filters(
            context, {key: compute.host, 'status': list(statuses),
                      'migration_type': _COLD}):
        if getattr(migration, key) != compute.host:
            continue
        try:
            ctx = _action_context(context, migration.instance_uuid)
            instance = instance_obj.Instance.get_by_uuid(
                ctx, migration.instance_uuid)
        except exception.InstanceNotFound:
            migration.status = 'error'
            migration.save()
            continue
        migration._context = ctx
        yield common.Move(compute, ctx, instance, migration)


def cleanup_interrupted(compute, context):
    for move in _moves(compute, context, ['pre-migrating'], 'dest'):
        LOG.warning('Migration %s of %s was being prepared here when %s '
                    'stopped; ending it', move.migration.uuid,
                    move.instance.uuid, compute.host)
        _safely(cleanup.cleanup_at_destination, move)
        mctx = move.mctx
        if mctx is not None:
            mctx.destroy()
        move.instance.task_state = None
        move.instance.save()
        move.set_status('error')
    for move in _moves(compute, context, ['migrating'], 'source'):
        LOG.warning('Migration %s of %s was copying from here when %s '
                    'stopped; the guest comes back here with its data',
                    move.migration.uuid, move.instance.uuid, compute.host)
        exc = exception.ResizeError(
            reason='the compute service of %s stopped during the move'
                   % compute.host)
        _record(move, 'compute_resize_instance', exc)
        _safely(cleanup.abort_move, move, exc)
    for move in _moves(compute, context, ['post-migrating'], 'dest'):
        _safely(finish.finish_resize, move)
    for move in _moves(compute, context, ['confirming'], 'source'):
        _safely(confirm.confirm_resize, move)
    for move in _moves(compute, context, ['reverting'], 'dest'):
        _safely(revert.revert_resize, move)
    reap_claims(compute, context)


def reap_claims(compute, context):
    """Namespaces of this host claimed by a move that has ended without
    them (error or reverted, or gone): zero and free them."""
    for ns in pmem_obj.PmemNamespaceList.get_by_host(context, compute.host):
        if not ns.migration_uuid:
            continue
        try:
            migration = migration_obj.Migration.get_by_uuid(
                context, ns.migration_uuid)
        except exception.MigrationNotFound:
            migration = None
        if migration is not None and migration.status not in \
                ('error', 'reverted'):
            continue
        if migration is not None and \
                migration.dest_compute == compute.host and \
                migration.status == 'error':
            instance = _instance(context, ns.instance_uuid)
            if instance is not None and instance.host == compute.host:
                continue   # a failed confirm: the guest runs here
        LOG.warning('PMEM namespace %s of %s was left claimed by migration '
                    '%s; zeroing and freeing it', ns.name, compute.host,
                    ns.migration_uuid)
        move = common.Move(compute, context, None, migration)
        _safely(cleanup.release_destination, move, [ns.as_dict()])


def _instance(context, uuid):
    try:
        return instance_obj.Instance.get_by_uuid(context, uuid)
    except exception.InstanceNotFound:
        return None


def _record(move, event_name, exc):
    try:
        instance_action.InstanceActionEvent.event_finish(
            move.context, move.instance.uuid, event_name, exc_val=exc,
            host=move.compute.host)
    except Exception:
        LOG.debug('No %s event to close for %s', event_name,
                  move.instance.uuid)


def _safely(func, *args):
    try:
        func(*args)
    except Exception:
        LOG.exception('Recovery step %s failed', func.__name__)


def confirm_old_resizes(compute, context):
    """Confirm the moves out of this host that have waited in
    VERIFY_RESIZE longer than ``resize_confirm_window``."""
    window = CONF.resize_confirm_window
    if not window:
        return 0
    cutoff = timeutils.utcnow() - datetime.timedelta(seconds=window)
    count = 0
    for migration in migration_obj.MigrationList.get_by_filters(
            context, {'source_compute': compute.host,
                      'status': ['finished'], 'migration_type': _COLD,
                      'untouched-since': cutoff}):
        ctx = _with_request_id(context)
        migration._context = ctx
        instance = _instance(ctx, migration.instance_uuid)
        if instance is None or instance.vm_state != instance_obj.RESIZED:
            continue
        migration.status = 'confirming'
        if not migration.save(expected_status=['finished']):
            continue
        instance_action.InstanceAction.action_start(
            ctx, instance.uuid, 'confirmResize')
        LOG.info('Confirming %s %s of %s: older than resize_confirm_window '
                 '(%d s)', migration.migration_type, migration.uuid,
                 instance.uuid, window)
        confirm.confirm_resize(common.Move(compute, ctx, instance,
                                           migration))
        count += 1
    return count

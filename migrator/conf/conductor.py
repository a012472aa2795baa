"""Options of the conductor service ([conductor])."""
from oslo_config import cfg

conductor_group = cfg.OptGroup('conductor', title='Conductor options')

conductor_opts = [
    cfg.IntOpt(
        'stale_migration_timeout', default=3600, min=0,
        help='Age in seconds (since its last update) after which a '
             'migration whose owner died before handing it on is ended '
             '("error") and its server released from its task: a live '
             'migration still "accepted" (a conductor died in its '
             'pre-checks, or the API\'s call timed out), "queued" or '
             '"preparing" on a source compute whose service is down, or a '
             'cold migration or resize still "pre-migrating" (a conductor '
             'died choosing its destination). Keep it above [DEFAULT] '
             'long_rpc_timeout. 0 disables the check.'),
    cfg.IntOpt(
        'stale_migration_check_interval', default=300, min=1,
        help='Seconds between two checks for stale migrations (see '
             'stale_migration_timeout) and stale builds (see '
             'stale_build_timeout).'),
    cfg.IntOpt(
        'stale_build_timeout', default=3600, min=0,
        help='Age in seconds (since its last update) after which a build '
             'still "scheduling" or "spawning" is ended: the server goes '
             'to ERROR with an instance fault and its create action is '
             'closed. A build cast lost in a RabbitMQ restart would '
             'otherwise stay BUILDING for ever. Keep it above the longest '
             'a build may take. 0 disables the check.'),
    cfg.IntOpt(
        'unrecorded_failure_retry_interval', default=10, min=1,
        help='Seconds between two attempts to record a live migration '
             'whose pre-checks failed while the database refused the '
             'record too (e.g. "Too many connections"): it is marked '
             'error, its action closed and its server released as soon '
             'as the database takes it.'),
]


def register_opts(conf):
    conf.register_group(conductor_group)
    conf.register_opts(conductor_opts, group=conductor_group)


def list_opts():
    return {conductor_group: conductor_opts}

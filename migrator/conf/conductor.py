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
             'stale_migration_timeout).'),
]


def register_opts(conf):
    conf.register_group(conductor_group)
    conf.register_opts(conductor_opts, group=conductor_group)


def list_opts():
    return {conductor_group: conductor_opts}

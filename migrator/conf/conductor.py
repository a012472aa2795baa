"""Options of the conductor service ([conductor])."""
from oslo_config import cfg

conductor_group = cfg.OptGroup('conductor', title='Conductor options')

conductor_opts = [
    cfg.IntOpt(
        'stale_migration_timeout', default=3600, min=0,
        help='A live migration still "accepted" (its pre-checks never '
             'finished: a conductor died, or the API\'s call timed out) '
             'this many seconds after its last update is marked "error" '
             'and its server released from the MIGRATING task. Keep it '
             'above [DEFAULT] long_rpc_timeout. 0 disables the check.'),
    cfg.IntOpt(
        'stale_migration_check_interval', default=300, min=1,
        help='Seconds between two checks for stale accepted migrations.'),
]


def register_opts(conf):
    conf.register_group(conductor_group)
    conf.register_opts(conductor_opts, group=conductor_group)


def list_opts():
    return {conductor_group: conductor_opts}

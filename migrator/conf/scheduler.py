"""Options of the conductor's small filter scheduler ([scheduler])."""
from oslo_config import cfg

scheduler_group = cfg.OptGroup('scheduler', title='Scheduling options')

scheduler_opts = [
    cfg.IntOpt(
        'max_attempts', default=3, min=1,
        help='Destinations the conductor tries, one after another, when '
             'it picks the host for a live migration itself and a '
             'pre-check fails.'),
]


def register_opts(conf):
    conf.register_group(scheduler_group)
    conf.register_opts(scheduler_opts, group=scheduler_group)


def list_opts():
    return {scheduler_group: scheduler_opts}

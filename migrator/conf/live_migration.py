"""Options of the live-migration monitor ([live_migration]).

The monitor runs on the source compute for every driver, so its options
have their own group; each keeps the meaning (and default) of Nova's
[libvirt] option of the same purpose.
"""
from oslo_config import cfg

lm_group = cfg.OptGroup('live_migration', title='Live-migration monitor')

lm_opts = [
    cfg.FloatOpt('monitor_poll_interval', default=0.5, min=0.05,
                 help='Seconds between two samples of the driver\'s '
                      'migration job statistics.'),
    cfg.FloatOpt('progress_save_interval', default=1.0, min=0.1,
                 help='Seconds between two saves of the sampled progress '
                      'to the Migration record; samples in between are '
                      'coalesced. Nova\'s live_migration_monitor_interval '
                      'is 5 s.'),
]


def register_opts(conf):
    conf.register_group(lm_group)
    conf.register_opts(lm_opts, group=lm_group)


def list_opts():
    return {lm_group: lm_opts}

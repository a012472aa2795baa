"""Options of the live-migration monitor ([live_migration]).

The monitor runs on the source compute for every driver, so its options
have their own group; each keeps the meaning (and default) of Nova's
[libvirt] option of the same purpose, and accepts that option's old name
and group so that a Nova configuration file keeps working.
"""
from oslo_config import cfg

lm_group = cfg.OptGroup(
    'live_migration', title='Live-migration monitor',
    help='How the source compute watches and steers a live migration: '
         'sampling, progress saving, downtime steps, timeouts, stall '
         'detection and the features a migration may use.')

_NOVA = 'libvirt'

lm_opts = [
    cfg.FloatOpt('monitor_poll_interval', default=0.5, min=0.05,
                 help='Seconds between two samples of the driver\'s '
                      'migration job statistics.'),
    cfg.FloatOpt('progress_save_interval', default=1.0, min=0.1,
                 deprecated_name='live_migration_monitor_interval',
                 deprecated_group=_NOVA,
                 help='Seconds between two saves of the sampled progress '
                      'to the Migration record; samples in between are '
                      'coalesced. Nova\'s live_migration_monitor_interval '
                      'is 5 s.'),
    cfg.FloatOpt('progress_log_interval', default=30.0, min=1.0,
                 help='Seconds between two INFO log lines about a running '
                      'migration\'s progress.'),
    cfg.IntOpt('downtime', default=500, min=100,
               deprecated_name='live_migration_downtime',
               deprecated_group=_NOVA,
               help='Maximum downtime in milliseconds the guest may be '
                    'paused for at switch-over, reached in steps (see '
                    'downtime_steps and downtime_delay).'),
    cfg.IntOpt('downtime_steps', default=10, min=3,
               deprecated_name='live_migration_downtime_steps',
               deprecated_group=_NOVA,
               help='Number of incremental steps to reach the maximum '
                    'downtime.'),
    cfg.IntOpt('downtime_delay', default=75, min=3,
               deprecated_name='live_migration_downtime_delay',
               deprecated_group=_NOVA,
               help='Seconds to wait between two downtime steps, per GiB '
                    'of data to transfer (memory, at least 2 GiB, plus '
                    'each block-migrated disk, at least 2 GiB each).'),
    cfg.IntOpt('completion_timeout', default=800, min=0, mutable=True,
               deprecated_name='live_migration_completion_timeout',
               deprecated_group=_NOVA,
               help='Seconds, per GiB of data to transfer, a migration may '
                    'run before timeout_action is taken. 0 disables the '
                    'timeout. Not applied once in post-copy.'),
    cfg.StrOpt('timeout_action', default='abort', mutable=True,
               choices=[('abort', 'Cancel the migration; the guest keeps '
                                  'running on the source.'),
                        ('force_complete', 'Force the migration to '
                                           'complete: post-copy if '
                                           'permitted, else pause the '
                                           'guest.')],
               deprecated_name='live_migration_timeout_action',
               deprecated_group=_NOVA,
               help='What to do when completion_timeout expires.'),
    cfg.BoolOpt('permit_post_copy', default=False,
                deprecated_name='live_migration_permit_post_copy',
                deprecated_group=_NOVA,
                help='Allow switching a migration to post-copy (by '
                     'force-complete or a timeout/stall action): the guest '
                     'moves at once and its remaining memory follows. A '
                     'network failure during post-copy loses the guest.'),
    cfg.BoolOpt('permit_auto_converge', default=False,
                deprecated_name='live_migration_permit_auto_converge',
                deprecated_group=_NOVA,
                help='Allow the hypervisor to throttle the guest\'s CPUs '
                     'until its memory copy converges. Used only when '
                     'permit_post_copy is off, as in Nova.'),
    cfg.IntOpt('bandwidth', default=0, min=0,
               deprecated_name='live_migration_bandwidth',
               deprecated_group=_NOVA,
               help='Maximum bandwidth in MiB/s a migration may use; 0 '
                    'lets the hypervisor choose.'),
    cfg.IntOpt('stall_timeout', default=150, min=0, mutable=True,
               help='Seconds without progress after which a migration is '
                    'stalled. Progress means the lowest remaining bytes '
                    '(memory plus disk) dropped, or, once pre-copy '
                    'iterates, that an iteration re-sent at least 10% '
                    'less than the best one so far. 0 disables the '
                    'detector. (Nova\'s old progress timeout fired on '
                    'healthy block and multi-iteration migrations; this '
                    'one does not.)'),
    cfg.IntOpt('stall_iterations', default=3, min=0, mutable=True,
               help='Memory iterations without progress also needed to '
                    'declare a stall, so that one long iteration is never '
                    'a stall. A transfer that moves no bytes at all for '
                    'stall_timeout is stalled regardless.'),
    cfg.StrOpt('stall_action', default='abort', mutable=True,
               choices=[('abort', 'Cancel the migration; the guest keeps '
                                  'running on the source.'),
                        ('force_complete', 'Force the migration to '
                                           'complete: post-copy if '
                                           'permitted, else pause the '
                                           'guest; abort if it still '
                                           'stalls.')],
               help='What to do with a stalled migration.'),
]


def register_opts(conf):
    conf.register_group(lm_group)
    conf.register_opts(lm_opts, group=lm_group)


def list_opts():
    return {lm_group: lm_opts}

"""Options of migrator's versioned notifications ([notifications]).

Where notifications go is oslo.messaging's
[oslo_messaging_notifications] driver (e.g. ``messagingv2``); with no
driver they are dropped.
"""
from oslo_config import cfg

notifications_group = cfg.OptGroup(
    'notifications', title='Versioned notifications')

notifications_opts = [
    cfg.FloatOpt(
        'migration_progress_interval', default=5.0, min=0.0,
        help='Seconds between two migration.progress notifications of one '
             'live migration (0: none). Progress is saved to the database '
             'more often; notifications are for consumers such as Watcher '
             'and stay sparse so as not to flood the message queue.'),
]


def register_opts(conf):
    conf.register_group(notifications_group)
    conf.register_opts(notifications_opts, group=notifications_group)


def list_opts():
    return {notifications_group: notifications_opts}

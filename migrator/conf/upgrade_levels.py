"""RPC version caps for rolling upgrades ([upgrade_levels])."""
from oslo_config import cfg

upgrade_group = cfg.OptGroup(
    'upgrade_levels',
    help='Cap the RPC version each client sends, so that upgraded services '
         'keep talking to services that are not upgraded yet.')

upgrade_opts = [
    cfg.StrOpt('conductor',
               help='Highest RPC version to send to conductor services.'),
    cfg.StrOpt('compute',
               help='Highest RPC version to send to compute services.'),
    cfg.StrOpt('volume',
               help='Highest RPC version to send to volume services.'),
]


def register_opts(conf):
    conf.register_group(upgrade_group)
    conf.register_opts(upgrade_opts, group=upgrade_group)


def list_opts():
    return {upgrade_group: upgrade_opts}

"""Options of the volume service and the block storage API.

``[DEFAULT] enabled_backends`` names the backends a ``migrator-volume``
serves; each has its own section (``[file1]``, ...) with the options of
``backend_opts`` (shown in the sample under ``[backend_defaults]``).
"""
from oslo_config import cfg

default_opts = [
    cfg.ListOpt(
        'enabled_backends', default=[],
        help='Backends this volume service serves, each the name of a '
             'config section holding its backend options (volume_driver, '
             'volumes_dir, pools, ...). Volumes live on '
             '"<host>@<backend>#<pool>", Cinder\'s naming.'),
    cfg.StrOpt(
        'default_volume_type',
        help='Volume type (a backend\'s volume_backend_name) of volumes '
             'created without one. Unset: the first backend of the first '
             'volume service that is up.'),
]

volume_group = cfg.OptGroup('volume', title='Volume service options')

volume_opts = [
    cfg.FloatOpt(
        'migration_progress_timeout', default=2.0, min=0.1,
        help='Seconds the block storage API waits for the service that '
             'copies a migrating volume (volume service or compute host) '
             'to say how far it got. Without an answer in time '
             'migration_progress is left out of the volume; the request '
             'still succeeds.'),
    cfg.IntOpt(
        'copy_rate_limit_mib', default=0, min=0,
        help='Throttle of a host-assisted volume copy or volume swap, in '
             'MiB/s (0: as fast as the disks go). [transfer] rate_limit, '
             'when set, applies as well; the lower one wins.'),
    cfg.FloatOpt(
        'progress_interval', default=0.5, min=0.05,
        help='Seconds between two progress reports of a volume copy.'),
    cfg.FloatOpt(
        'migration_target_timeout', default=60.0, min=1,
        help='Seconds a volume service waits for the volume service of '
             'another host to create the target of a migration (its '
             'record and empty data). Without an answer in time the '
             'migration ends with migration_status "error" and the '
             'volume stays where it was.'),
]

backend_group = cfg.OptGroup(
    'backend_defaults',
    title='Options of each backend section named in enabled_backends')

backend_opts = [
    cfg.StrOpt(
        'volume_driver', default='file',
        choices=[('file', 'Raw volume files under volumes_dir, one '
                          'directory per pool; the volume service copies '
                          'them when they migrate (host-assisted, with '
                          'progress).'),
                 ('driver-assisted', 'A simulated storage array (files '
                                     'under volumes_dir) that moves a '
                                     'volume between its own pools itself '
                                     'and reports no figures.')],
        help='Kind of backend.'),
    cfg.StrOpt(
        'volume_backend_name',
        help='Name of the backend as volume types and os-services show it '
             '(default: the section name).'),
    cfg.StrOpt(
        'volumes_dir',
        help='Directory of the backend\'s volume files (default: '
             '$state_path/volumes/<section name>).'),
    cfg.ListOpt(
        'pools', default=[],
        help='Pools of the backend (default: one pool named like the '
             'backend).'),
    cfg.IntOpt(
        'capacity_gb', default=1000, min=1,
        help='Capacity the backend reports, in GiB.'),
    cfg.IntOpt(
        'array_move_rate_mib', default=512, min=1,
        help='driver-assisted only: MiB/s at which the simulated array '
             'moves a volume between its pools.'),
]


def register_opts(conf):
    conf.register_opts(default_opts)
    conf.register_group(volume_group)
    conf.register_opts(volume_opts, group=volume_group)
    conf.register_group(backend_group)
    conf.register_opts(backend_opts, group=backend_group)


def register_backend_opts(conf, section):
    """The backend options in ``section`` (idempotent)."""
    conf.register_opts(backend_opts, group=section)
    return conf[section]


def list_opts():
    return {'DEFAULT': default_opts, volume_group: volume_opts,
            backend_group: backend_opts}

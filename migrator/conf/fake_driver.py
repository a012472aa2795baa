"""Options of the simulated hypervisor ([fake_driver])."""
from oslo_config import cfg

fake_group = cfg.OptGroup(
    'fake_driver',
    help='The fake driver simulates a hypervisor host: its inventory, its '
         'guests and the link live migrations travel over.')

fake_opts = [
    cfg.IntOpt('vcpus', default=16, min=1,
               help='Physical CPUs the simulated host reports.'),
    cfg.IntOpt('memory_mb', default=32768, min=1,
               help='Memory in MiB the simulated host reports.'),
    cfg.IntOpt('local_gb', default=500, min=1,
               help='Local disk in GiB the simulated host reports.'),
    cfg.StrOpt('hypervisor_type', default='QEMU',
               help='Hypervisor type the simulated host reports.'),
    cfg.IntOpt('hypervisor_version', default=8002000,
               help='Hypervisor version the simulated host reports.'),
]


def register_opts(conf):
    conf.register_group(fake_group)
    conf.register_opts(fake_opts, group=fake_group)


def list_opts():
    return {fake_group: fake_opts}

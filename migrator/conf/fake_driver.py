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
    cfg.StrOpt('cpu_arch', default='x86_64',
               help='CPU architecture in the simulated host\'s cpu_info. '
                    'A guest only live-migrates between hosts of the same '
                    'architecture and vendor.'),
    cfg.StrOpt('cpu_model', default='Skylake-Server-IBRS',
               help='CPU model in the simulated host\'s cpu_info.'),
    cfg.StrOpt('cpu_vendor', default='Intel',
               help='CPU vendor in the simulated host\'s cpu_info.'),
    cfg.ListOpt('cpu_features',
                default=['sse4.2', 'avx', 'avx2', 'aes', 'vmx', 'x2apic'],
                help='CPU features in the simulated host\'s cpu_info. A '
                     'destination must offer every feature of the source.'),
    cfg.IntOpt('link_bandwidth_mib', default=125, min=1,
               help='MiB/s a simulated live migration moves between two '
                    'hosts (125 MiB/s is a 1 Gbit/s link: an idle 2 GiB '
                    'guest takes about 17 s). A migration\'s own bandwidth '
                    'limit can only lower it.'),
    cfg.FloatOpt('guest_dirty_rate_mib', default=8.0, min=0.0,
                 help='MiB/s a simulated guest writes to its memory, unless '
                      'its metadata sim_dirty_rate_mib or its flavor\'s '
                      'extra spec sim:dirty_rate_mib say otherwise. A rate '
                      'near or above the link bandwidth with a large '
                      'working set never converges.'),
    cfg.FloatOpt('guest_working_set_ratio', default=0.125, min=0.0, max=1.0,
                 help='Share of a simulated guest\'s memory it writes to '
                      '(its hot set: the most that can be dirty at once), '
                      'unless metadata sim_working_set_mib or extra spec '
                      'sim:working_set_mib give it in MiB.'),
    cfg.FloatOpt('time_scale', default=1.0, min=0.001,
                 help='Simulated seconds per real second. 1.0 runs a '
                      'migration in real time; tests and demos raise it to '
                      'run a 20 s migration in a fraction of a second '
                      'through the same model.'),
    cfg.FloatOpt('simulation_tick', default=0.05, min=0.001,
                 help='Simulated seconds per integration step of the '
                      'migration model.'),
    cfg.IntOpt('pmem_namespace_mb', default=64, min=1,
               help='Size in MiB of each simulated PMEM namespace file whose '
                    'label ([libvirt] pmem_namespaces) is not itself a '
                    'size; a label such as "256M" or "1G" sets the size of '
                    'its namespaces.'),
    cfg.StrOpt('pmem_dir', default=None,
               help='Directory of the simulated hosts\' PMEM namespace '
                    'files, one subdirectory per host. Unset: '
                    '$state_path/pmem.'),
]


def register_opts(conf):
    conf.register_group(fake_group)
    conf.register_opts(fake_opts, group=fake_group)


def list_opts():
    return {fake_group: fake_opts}

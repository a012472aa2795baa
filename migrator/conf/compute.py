"""Options of the compute service ([DEFAULT] driver choice, [compute])."""
from oslo_config import cfg

compute_group = cfg.OptGroup('compute', title='Compute service options')

default_opts = [
    cfg.StrOpt(
        'compute_driver', default='fake',
        choices=[('fake', 'Simulated hypervisor: guests with a memory '
                          'size and dirty rate, links with a bandwidth.'),
                 ('libvirt', 'libvirt/KVM through libvirt-python '
                             '(install migrator[libvirt]).')],
        help='Virtualization driver a compute service uses.'),
    cfg.HostAddressOpt(
        'my_ip', default=None,
        help='Address other compute hosts reach this one at for data '
             'copies (PMEM namespaces over SSH), recorded as its compute '
             'node\'s host_ip. Unset: every compute host is taken to be '
             'this machine (migrator-all\'s simulated hosts), and copies '
             'between them are local.'),
    cfg.IntOpt(
        'resize_confirm_window', default=0, min=0,
        help='Seconds after which a cold migration or resize waiting in '
             'VERIFY_RESIZE is confirmed automatically (as Nova does). '
             '0 disables automatic confirmation.'),
    cfg.BoolOpt(
        'allow_resize_to_same_host', default=False,
        help='Whether a resize may keep the server on its host (the '
             'scheduler then considers the source too). A cold migration '
             'always moves it.'),
]

compute_opts = [
    cfg.IntOpt(
        'max_concurrent_live_migrations', default=1, min=0,
        help='Live migrations a compute runs out of this host at once; '
             'more wait in status "queued". 0 means unlimited.'),
    cfg.IntOpt(
        'resource_update_interval', default=30, min=1,
        help='Seconds between two reports of this host\'s inventory and '
             'usage into its compute node record.'),
    cfg.IntOpt(
        'rollback_retry_interval', default=60, min=1,
        help='Seconds between two retries of the destination roll-backs '
             'of failed live migrations that could not reach their '
             'destination (recorded on the migration).'),
    cfg.FloatOpt(
        'cpu_allocation_ratio', default=4.0, min=0.0,
        help='Virtual CPUs a host may hand out per physical CPU.'),
    cfg.FloatOpt(
        'ram_allocation_ratio', default=1.0, min=0.0,
        help='Memory a host may hand out per MiB it has.'),
    cfg.FloatOpt(
        'disk_allocation_ratio', default=1.0, min=0.0,
        help='Disk a host may hand out per GiB it has.'),
    cfg.IntOpt(
        'resize_confirm_check_interval', default=60, min=1,
        help='Seconds between two looks for resizes older than '
             'resize_confirm_window.'),
]


def register_opts(conf):
    conf.register_opts(default_opts)
    conf.register_group(compute_group)
    conf.register_opts(compute_opts, group=compute_group)


def list_opts():
    return {'DEFAULT': default_opts, compute_group: compute_opts}

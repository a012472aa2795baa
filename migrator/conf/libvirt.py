"""Options of the libvirt driver ([libvirt])."""
from oslo_config import cfg

libvirt_group = cfg.OptGroup('libvirt', title='libvirt driver options')

libvirt_opts = [
    cfg.StrOpt('connection_uri', default='qemu:///system',
               help='libvirt URI of this host\'s hypervisor.'),
]


def register_opts(conf):
    conf.register_group(libvirt_group)
    conf.register_opts(libvirt_opts, group=libvirt_group)


def list_opts():
    return {libvirt_group: libvirt_opts}

"""Options of the libvirt driver ([libvirt])."""
from oslo_config import cfg

libvirt_group = cfg.OptGroup('libvirt', title='libvirt driver options')

libvirt_opts = [
    cfg.StrOpt('connection_uri', default='qemu:///system',
               help='libvirt URI of this host\'s hypervisor.'),
    cfg.StrOpt('virt_type', default='kvm',
               choices=[('kvm', 'Hardware-accelerated QEMU guests.'),
                        ('qemu', 'Emulated QEMU guests (no /dev/kvm).'),
                        ('test', 'libvirt\'s test driver (test:///default), '
                                 'for tests only.')],
               help='Domain type of the guests this driver defines.'),
    cfg.StrOpt('boot_image', default=None,
               help='Raw disk image every guest boots from, attached '
                    'read-only (a read-only disk needs no shared storage '
                    'to live-migrate). Unset: guests have no disk.'),
    cfg.StrOpt('local_disk_dir', default=None,
               help='Directory, as the hypervisor host sees it and local '
                    'to it (not shared storage), for the local root disks '
                    'of guests whose flavor has a root disk: a libvirt '
                    'storage pool, one volume per guest, starting as a '
                    'copy of boot_image. Such a guest boots from it and '
                    'live-migrates with block migration. Unset: no local '
                    'disks.'),
    cfg.StrOpt('console_log_dir', default=None,
               help='Directory, as the hypervisor host sees it, where '
                    'each guest\'s serial console is written (to '
                    '<uuid>.log, appended to, on whichever host the guest '
                    'runs). Unset: guests have no serial port.'),
    cfg.StrOpt('instances_path', default='/var/lib/libvirt/images',
               help='Directory whose file system is reported as this '
                    'host\'s local disk.'),
    cfg.StrOpt('live_migration_uri', default='qemu+tcp://%s/system',
               help='libvirt URI of a destination host, "%s" being its '
                    'address: live_migration_inbound_addr of the '
                    'destination when it sets one, else its host name.'),
    cfg.HostAddressOpt('live_migration_inbound_addr', default=None,
                       help='Address other hosts use to send live '
                            'migrations to this host (its libvirtd and '
                            'the migration data stream). Unset: the host '
                            'name, and libvirt picks the data address.'),
    cfg.StrOpt('live_migration_data_uri', default='tcp://%s',
               help='Template of the URI the migration data stream goes '
                    'to when the destination sets '
                    'live_migration_inbound_addr ("%s" is that address).'),
    cfg.ListOpt('pmem_namespaces', default=[],
                help='This host\'s persistent-memory namespaces, in Nova\'s '
                     'format "$LABEL:$NSNAME[|$NSNAME][,...]", for example '
                     '"128G:ns0|ns1,MEDIUM:ns2". A flavor asks for them '
                     'by label with the extra spec hw:pmem (e.g. '
                     '"128G,MEDIUM"). The libvirt driver finds each name '
                     'with "ndctl list -X" (a device-dax namespace), or, '
                     'with pmem_backing_dir set, uses the file of that '
                     'name there; the fake driver keeps one file per '
                     'namespace under the state directory.'),
    cfg.StrOpt('pmem_backing_dir', default=None,
               help='Directory of file-backed PMEM namespaces (one file '
                    'per name in pmem_namespaces, used as the guest\'s '
                    'memoryBackingFile). Unset: namespaces are device-dax '
                    'devices found with ndctl.'),
    cfg.IntOpt('swap_volume_bandwidth', default=0, min=0,
               help='Cap, in MiB/s, of the block copy that swaps an '
                    'attached volume for another while the guest runs '
                    '(a volume swap, or the migration of an attached '
                    'volume), so that it leaves the storage room for the '
                    'guests. 0: no cap.'),
]


def register_opts(conf):
    conf.register_group(libvirt_group)
    conf.register_opts(libvirt_opts, group=libvirt_group)


def list_opts():
    return {libvirt_group: libvirt_opts}

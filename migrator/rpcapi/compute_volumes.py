"""RPC client of a compute host's volume endpoint (topic "compute",
namespace "compute_volumes", server = the host): attach, detach and swap
a server's volumes, and the progress of a swap.

A namespace of its own keeps these methods and their versions apart from
the compute manager's, as Nova's additional endpoints do.
"""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class ComputeVolumeAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - attach_volume, detach_volume, swap_volume, get_swap_progress
    """
    TOPIC = 'compute'
    NAMESPACE = 'compute_volumes'
    VERSION = '1.0'
    UPGRADE_LEVEL = 'compute'
    SERVER = ('the compute that runs the server (``[DEFAULT] host``), '
              'namespace ``compute_volumes``')
    METHODS = {
        'attach_volume': (
            '1.0', 'cast', ['instance', 'attachment'],
            'Connect the volume and plug it into the guest; the volume '
            'becomes in-use (available again on failure).'),
        'detach_volume': (
            '1.0', 'cast', ['instance', 'attachment'],
            'Unplug the volume from the guest; the volume becomes '
            'available.'),
        'swap_volume': (
            '1.0', 'cast', ['instance', 'attachment', 'new_volume_id'],
            'While the guest runs, copy the attached volume into '
            'new_volume_id and switch the guest to it (instance action '
            'swap_volume, event compute_swap_volume); for a volume '
            'migration, tell the volume service when done.'),
        'get_swap_progress': (
            '1.0', 'call', ['instance', 'volume_id'],
            'Percent (a string, "42") of the swap of volume_id running on '
            'this host, or None. Answered at once.'),
    }

    def attach_volume(self, ctxt, instance, attachment):
        self._prepare('attach_volume', server=instance.host).cast(
            ctxt, 'attach_volume', instance=instance, attachment=attachment)

    def detach_volume(self, ctxt, instance, attachment):
        self._prepare('detach_volume', server=instance.host).cast(
            ctxt, 'detach_volume', instance=instance, attachment=attachment)

    def swap_volume(self, ctxt, instance, attachment, new_volume_id):
        self._prepare('swap_volume', server=instance.host).cast(
            ctxt, 'swap_volume', instance=instance, attachment=attachment,
            new_volume_id=new_volume_id)

    def get_swap_progress(self, ctxt, host, instance, volume_id, timeout):
        return self._prepare('get_swap_progress', server=host,
                             timeout=timeout).call(
            ctxt, 'get_swap_progress', instance=instance,
            volume_id=volume_id)

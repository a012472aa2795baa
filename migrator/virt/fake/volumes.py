"""Volumes of the fake driver's simulated guests: attach and detach
record the device; a swap copies the attached volume's file into the new
one through migrator.transfer while the guest keeps running, then points
the guest at the new file (what a block copy and pivot do on a real
hypervisor)."""
import threading

from oslo_config import cfg

CONF = cfg.CONF
MiB = 1024 ** 2


class FakeVolumes:
    """{guest uuid: {mountpoint: connection_info}} of one fake host."""

    def __init__(self):
        self._lock = threading.Lock()
        self._disks = {}

    def attach(self, guest, connection_info, mountpoint):
        with self._lock:
            self._disks.setdefault(guest['uuid'], {})[mountpoint] = \
                connection_info

    def detach(self, guest, mountpoint):
        with self._lock:
            self._disks.get(guest['uuid'], {}).pop(mountpoint, None)

    def forget(self, guest):
        with self._lock:
            self._disks.pop(guest['uuid'], None)

    def disks(self, guest):
        with self._lock:
            return dict(self._disks.get(guest['uuid'], {}))

    def swap(self, guest, old_info, new_info, mountpoint, on_percent,
             cancel=None):
        from migrator import transfer
        options = transfer.copy_options()
        limits = [limit for limit in (CONF.volume.copy_rate_limit_mib * MiB,
                                      options['rate_limit']) if limit]
        options['rate_limit'] = min(limits) if limits else None
        transfer.copy(transfer.LocalFile(old_info['data']['path']),
                      transfer.LocalFile(new_info['data']['path']),
                      on_progress=lambda p: on_percent(p.percent),
                      progress_interval=CONF.volume.progress_interval,
                      cancel=cancel, **options)
        self.attach(guest, new_info, mountpoint)

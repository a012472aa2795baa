"""Copying and zeroing PMEM namespaces through ``migrator.transfer`` (the
shared data-copy module; nothing here reads or writes bytes itself).

A namespace (a dict: name, label, size, devpath, backing) becomes a
transfer endpoint: a device-dax device (daxio) or a file, on this host or,
through ``transfer.SSHHost``, on another one. Progress of the copy of all
of a move's namespaces is summed into the Migration's disk figures.
"""
import time

from oslo_config import cfg
from oslo_log import log as logging

from migrator import pmem

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def _transfer():
    # Imported when used: the compute service loads it only for a move.
    from migrator import transfer
    return transfer


def endpoint(ns, ssh_host=None):
    transfer = _transfer()
    if ns['backing'] == pmem.DEVDAX:
        if ssh_host is not None:
            return transfer.RemoteDaxDevice(ssh_host, ns['devpath'])
        return transfer.DaxDevice(ns['devpath'])
    if ssh_host is not None:
        return transfer.RemoteFile(ssh_host, ns['devpath'])
    return transfer.LocalFile(ns['devpath'])


def ssh_host(address):
    """The SSH endpoint of another host, from the [transfer] options."""
    return _transfer().ssh_host(address)


def zero(namespaces):
    """Zero each namespace of this host in place (daxio -z for
    device-dax). Raises the first failure after trying them all."""
    transfer = _transfer()
    first = None
    for ns in namespaces:
        try:
            transfer.zero(endpoint(ns), length=ns['size'])
            LOG.info('PMEM namespace %s (%s) zeroed', ns['name'],
                     ns['devpath'])
        except Exception as exc:
            LOG.error('Could not zero PMEM namespace %s (%s): %s',
                      ns['name'], ns['devpath'], exc)
            first = first or exc
    if first is not None:
        raise first


class Progress:
    """Sums the progress of several copies into one Migration's disk
    figures and 2.106 progress detail, written at most once per
    ``[live_migration] progress_save_interval``."""

    def __init__(self, migration, total):
        self.migration = migration
        self.total = total
        self.done = 0          # bytes of the namespaces already copied
        self.percent = 0
        self._saved_at = 0.0
        self._started = time.monotonic()

    def start(self):
        self._write(0, rate=None, eta=None, force=True)

    def update(self, progress):
        processed = self.done + progress.processed
        self._write(processed, progress.rate, progress.eta_seconds)

    def finished_one(self, size):
        self.done += size
        self._write(self.done, None, None, force=True,
                    seconds=time.monotonic() - self._started)

    def _write(self, processed, rate, eta, force=False, seconds=None):
        now = time.monotonic()
        interval = CONF.live_migration.progress_save_interval
        if not force and now - self._saved_at < interval:
            return
        self._saved_at = now
        processed = min(processed, self.total)
        percent = 100 if self.total == 0 else \
            int(processed * 100 // self.total)
        if processed < self.total:
            percent = min(percent, 99)
        self.percent = max(self.percent, percent)
        mig = self.migration
        mig.disk_total = self.total
        mig.disk_processed = processed
        mig.disk_remaining = self.total - processed
        detail = dict(mig.progress_detail or {})
        detail.update(percent=self.percent, transfer_rate=rate,
                      eta_seconds=eta)
        if seconds is not None:
            # How long the copies took so far (all of them once done).
            detail['copy_seconds'] = round(seconds, 3)
        mig.progress_detail = detail
        mig.save()


def copy_all(pairs, dest_address, migration, cancel):
    """Copy each (old, new) namespace pair from this host to the
    destination (over SSH to ``dest_address``, or locally when it is
    None), verified; progress on ``migration``. A failure raises the
    transfer error; the sink that failed has already been zeroed by the
    transfer module, the others are the caller's to zero."""
    transfer = _transfer()
    remote = ssh_host(dest_address) if dest_address else None
    total = sum(old['size'] for old, _new in pairs)
    progress = Progress(migration, total)
    progress.start()
    options = transfer.copy_options()
    for old, new in pairs:
        if new['size'] < old['size']:
            raise transfer.CopyFailed(
                'namespace %s (%d bytes) does not fit in %s (%d bytes)'
                % (old['name'], old['size'], new['name'], new['size']))
        LOG.info('Copying PMEM namespace %s (%s) to %s:%s (%s), %d MiB',
                 old['name'], old['devpath'], dest_address or 'this host',
                 new['name'], new['devpath'], old['size'] // (1024 * 1024))
        result = transfer.copy(
            endpoint(old), endpoint(new, remote), length=old['size'],
            on_progress=progress.update,
            progress_interval=CONF.live_migration.progress_save_interval,
            cancel=cancel, **options)
        LOG.info('PMEM namespace %s copied: %d bytes in %.1f s, checksum %s',
                 old['name'], result.bytes_copied, result.seconds,
                 result.checksum)
        progress.finished_one(old['size'])

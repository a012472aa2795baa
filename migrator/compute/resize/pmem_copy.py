"""Copying and zeroing PMEM namespaces through ``migrator.transfer`` (the
shared data-copy module; nothing here reads or writes bytes itself).

A namespace (a dict: name, label, size, devpath, backing) becomes a
transfer endpoint: a device-dax device (daxio) or a file, on this host or,
through ``transfer.SSHHost``, on another one. Progress of the copy of all
of a move's namespaces is summed into the Migration's disk figures.

The namespaces come from records (the migration context, the
pmem_namespaces table): before any byte is read, written or zeroed each
one is checked against what this host's driver reports for its
configured namespaces ([libvirt] pmem_namespaces), and a destination's
path for its shape (``check_local`` / ``check_remote``); a record that
points elsewhere fails the whole operation before it starts.
"""
import os
import re
import time

from oslo_config import cfg
from oslo_log import log as logging

from migrator import pmem
from migrator import safe_path

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


_DEVDAX = re.compile(r'^/dev/dax[0-9]+\.[0-9]+$')


def _what(ns):
    return 'PMEM namespace %s' % (ns.get('name'),)


def check_local(namespaces, driver):
    """Refuse (``exception.UnsafePath``) a namespace record of this host
    whose name is not configured here or whose device path is not the
    one the driver reports for it (symlinks resolved)."""
    known = {ns['name']: ns for ns in driver.get_pmem_namespaces()}
    for ns in namespaces:
        what = _what(ns)
        path = ns.get('devpath')
        mine = known.get(ns.get('name'))
        if mine is None:
            safe_path.refuse(path, what, 'no namespace of that name is '
                             'configured on this host ([libvirt] '
                             'pmem_namespaces)')
        if path != mine['devpath'] or ns.get('backing') != mine['backing']:
            safe_path.refuse(path, what, 'this host\'s namespace of that '
                             'name is %s (%s)' % (mine['devpath'],
                                                  mine['backing']))
        if mine['backing'] == pmem.DEVDAX:
            safe_path.inside(path, ['/dev'], what)
            if not _DEVDAX.match(os.path.realpath(path)):
                safe_path.refuse(path, what, 'not a device-dax device')
        else:
            safe_path.inside(path, [os.path.dirname(mine['devpath'])], what)


def check_remote(ns):
    """Refuse a namespace of another host whose path is not plainly its
    own: /dev/daxN.M for device-dax, a file named after the namespace
    otherwise, absolute and free of '..' and control characters."""
    what = _what(ns)
    path = safe_path.remote(ns.get('devpath'), what)
    if ns.get('backing') == pmem.DEVDAX:
        if not _DEVDAX.match(path):
            safe_path.refuse(path, what, 'not a device-dax device '
                             '(/dev/daxN.M)')
    elif os.path.basename(path) != safe_path.plain_name(ns.get('name'),
                                                        what):
        safe_path.refuse(path, what, 'a file-backed namespace is the file '
                         'of its name')


def ssh_host(address):
    """The SSH endpoint of another host, from the [transfer] options."""
    return _transfer().ssh_host(address)


def _privileged():
    from migrator.privsep import pmem as privsep_pmem
    return privsep_pmem


def zero(namespaces, driver):
    """Zero each namespace of this host in place (daxio -z, as root
    through privsep, for device-dax). Raises the first failure after
    trying them all; a namespace record ``driver`` does not vouch for
    (``check_local``) fails it before any is zeroed."""
    transfer = _transfer()
    check_local(namespaces, driver)
    first = None
    for ns in namespaces:
        try:
            if ns['backing'] == pmem.DEVDAX:
                _privileged().zero_devdax(ns['devpath'], ns['size'])
            else:
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


def copy_all(pairs, dest_address, migration, cancel, driver):
    """Copy each (old, new) namespace pair from this host to the
    destination (over SSH to ``dest_address``, or locally when it is
    None), verified; progress on ``migration``. A failure raises the
    transfer error; the sink that failed has already been zeroed by the
    transfer module, the others are the caller's to zero. Every path is
    checked first (``check_local`` for this host's, ``driver`` vouching;
    ``check_remote`` for the destination's): a bad one copies nothing."""
    transfer = _transfer()
    check_local([old for old, _new in pairs], driver)
    for _old, new in pairs:
        # Another host's (or, on one machine, another service's).
        check_remote(new)
    local = [old for old, _new in pairs]
    if not dest_address:
        local += [new for _old, new in pairs]
    for ns in local:
        if ns['backing'] == pmem.DEVDAX:
            # daxio reads (writes) it as this service's user.
            _privileged().give_devdax_to(ns['devpath'], os.getuid())
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

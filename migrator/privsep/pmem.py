"""Privileged PMEM operations: listing namespaces with ndctl and zeroing
a device-dax namespace with daxio.

Each entrypoint checks its arguments itself (it runs as root, and trusts
no caller) and runs one argv list through oslo.concurrency; no shell.
"""
import os
import re
import stat

from oslo_concurrency import processutils

import migrator.privsep

DEVDAX = re.compile(r'^/dev/dax[0-9]+\.[0-9]+$')


class NotADaxDevice(ValueError):
    pass


def is_char_device(path):
    return stat.S_ISCHR(os.stat(path).st_mode)


def check_devdax(devpath):
    """``devpath`` if it is a device-dax character device, /dev/daxN.M
    itself (no symlink, no '..'); NotADaxDevice otherwise."""
    if not isinstance(devpath, str) or not DEVDAX.match(devpath) or \
            os.path.realpath(devpath) != devpath:
        raise NotADaxDevice('%r is not a device-dax device (/dev/daxN.M)'
                            % (devpath,))
    if not is_char_device(devpath):
        raise NotADaxDevice('%s is not a character device' % devpath)
    return devpath


@migrator.privsep.pmem_pctxt.entrypoint
def list_namespaces():
    """``ndctl list -X``: (stdout, stderr)."""
    return processutils.execute('ndctl', 'list', '-X')


@migrator.privsep.pmem_pctxt.entrypoint
def zero_devdax(devpath, length=None):
    """Zero the first ``length`` bytes (None: all) of a device-dax
    namespace with ``daxio -z``."""
    argv = ['daxio', '-z', '-o', check_devdax(devpath)]
    if length is not None:
        argv += ['-l', str(int(length))]
    processutils.execute(*argv)


@migrator.privsep.pmem_pctxt.entrypoint
def give_devdax_to(devpath, uid):
    """Make a device-dax namespace the service user's (``uid``), so that
    its copies (daxio reading or writing a stream) run unprivileged."""
    os.chown(check_devdax(devpath), int(uid), -1)

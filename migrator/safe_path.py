"""Paths found in records are checked before anything touches them.

A namespace's device path or a volume's file comes from a database row
or an RPC argument; a tampered or corrupt one must not make a service
read, write, zero or delete anything outside what its configuration
gives it ([libvirt] pmem_namespaces and the volume backends' directories).
Each check raises ``exception.UnsafePath`` (and logs it) or returns the
path unchanged.

* ``inside(path, roots, what)``: an absolute path, no ``..``, no control
  characters, and, symlinks resolved, under one of ``roots``;
* ``plain_name(name, what)``: one path component, no separators, ``..``
  or control characters (a file name joined to a configured directory);
* ``remote(path, what)``: the shape checks of ``inside`` for a path on
  another host, whose symlinks cannot be resolved from here.
"""
import os
import re

from oslo_log import log as logging

from migrator import exception

LOG = logging.getLogger(__name__)

# C0 controls, DEL and the C1 controls: never in a path we write.
_CONTROL = re.compile('[\x00-\x1f\x7f-\x9f]')


def refuse(path, what, reason):
    LOG.error('Refused path %r (%s): %s', path, what, reason)
    raise exception.UnsafePath(path=path, what=what, reason=reason)


def _shape(path, what):
    if not isinstance(path, str) or not path:
        refuse(path, what, 'not a path')
    if _CONTROL.search(path):
        refuse(path, what, 'it holds control characters')
    if not os.path.isabs(path):
        refuse(path, what, 'not an absolute path')
    if '..' in path.split('/'):
        refuse(path, what, 'it climbs out with ".."')


def _within(path, root):
    return path == root or path.startswith(root.rstrip('/') + '/')


def inside(path, roots, what):
    """``path`` if it lies under one of ``roots`` (each resolved, like
    the path, through its symlinks); UnsafePath otherwise."""
    _shape(path, what)
    real = os.path.realpath(path)
    for root in roots:
        if root and _within(real, os.path.realpath(root)):
            return path
    allowed = ', '.join(r for r in roots if r) or 'any configured directory'
    if real != path:
        refuse(path, what, 'it resolves to %s, outside %s' % (real, allowed))
    refuse(path, what, 'outside %s' % allowed)


def plain_name(name, what):
    """``name`` if it is a single file name; UnsafePath otherwise."""
    if not isinstance(name, str) or not name or name in ('.', '..'):
        refuse(name, what, 'not a file name')
    if '/' in name or _CONTROL.search(name):
        refuse(name, what, 'a file name holds no "/" or control '
               'characters')
    return name


def remote(path, what):
    """``path`` (on another host) if it is absolute, free of ``..`` and
    of control characters; UnsafePath otherwise."""
    _shape(path, what)
    if os.path.normpath(path) != path:
        refuse(path, what, 'not a normalised path')
    return path

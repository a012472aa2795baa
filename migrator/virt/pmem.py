"""PMEM namespaces of a host, as a driver reports them.

One interface, two backings:

* ``FileNamespaces``: each namespace is a file of its size in a directory
  (the fake driver's simulation, or the libvirt driver's file-backed
  ``memoryBackingFile`` with ``[libvirt] pmem_backing_dir``);
* ``DaxNamespaces``: each namespace is a device-dax device found with
  ``ndctl list -X`` (``/dev/daxX.Y``), as Nova's libvirt driver finds
  them.

``list()`` returns ``[{'name', 'label', 'size', 'devpath', 'backing'}]``
(plain data: the compute records it, the copy reads and writes
``devpath``).
"""
import json
import os

from oslo_log import log as logging

from migrator import pmem

LOG = logging.getLogger(__name__)


class FileNamespaces:
    """File-backed namespaces under ``directory``; a namespace's size is
    its label's when the label reads as a size, else ``default_size``."""

    def __init__(self, directory, configured, default_size):
        self.directory = directory
        self.configured = pmem.parse_namespaces(configured)
        self.default_size = default_size

    def size_of(self, label):
        return pmem.size_of_label(label) or self.default_size

    def list(self):
        return [{'name': name, 'label': label, 'size': self.size_of(label),
                 'devpath': os.path.join(self.directory, name),
                 'backing': pmem.FILE}
                for label, name in self.configured]

    def prepare(self):
        """Create each namespace's file (sparse, of its size) unless it
        exists; an existing file keeps its data (a restart)."""
        if not self.configured:
            return
        os.makedirs(self.directory, exist_ok=True)
        for ns in self.list():
            path = ns['devpath']
            if os.path.exists(path) and os.path.getsize(path) == ns['size']:
                continue
            with open(path, 'ab') as handle:
                handle.truncate(ns['size'])
            LOG.info('PMEM namespace %s (%s, %d MiB) is file %s',
                     ns['name'], ns['label'], ns['size'] // (1024 * 1024),
                     path)


class DaxNamespaces:
    """Device-dax namespaces named in the configuration, found with
    ``ndctl list -X`` (run through the privsep daemon unless ``execute``
    is given)."""

    def __init__(self, configured, execute=None):
        self.configured = pmem.parse_namespaces(configured)
        self.execute = execute

    def _host_namespaces(self):
        if self.execute is None:
            # As root, through the privsep daemon.
            from migrator.privsep import pmem as privsep_pmem
            out, _err = privsep_pmem.list_namespaces()
        else:
            out, _err = self.execute('ndctl', 'list', '-X')
        found = json.loads(out or '[]')
        if isinstance(found, dict):
            found = [found]
        return {ns.get('name'): ns for ns in found if ns.get('name')}

    def list(self):
        if not self.configured:
            return []
        on_host = self._host_namespaces()
        result = []
        for label, name in self.configured:
            ns = on_host.get(name)
            if ns is None or 'daxregion' not in ns:
                LOG.warning('PMEM namespace %s (%s) is configured but '
                            'ndctl does not list it as device-dax', name,
                            label)
                continue
            devices = ns['daxregion'].get('devices') or [{}]
            chardev = devices[0].get('chardev')
            result.append({'name': name, 'label': label,
                           'size': int(ns.get('size') or
                                       devices[0].get('size') or 0),
                           'devpath': '/dev/%s' % chardev,
                           'backing': pmem.DEVDAX})
        return result

    def prepare(self):
        """Device-dax namespaces exist already."""

"""Persistent memory (PMEM) vocabulary shared by the compute side, the
scheduler and the drivers: Nova's configuration format for a host's
namespaces and the ``hw:pmem`` flavor extra spec.

``[libvirt] pmem_namespaces = 128G:ns0|ns1,MEDIUM:ns2`` gives a host the
namespaces ns0 and ns1 labelled ``128G`` and ns2 labelled ``MEDIUM``. A
flavor with ``hw:pmem = 128G,MEDIUM`` asks for one namespace of each of
those labels. This module imports nothing of migrator's, so every layer
may use it.
"""
import re

EXTRA_SPEC = 'hw:pmem'

# Namespace backings: a file (a file-backed memoryBackingFile, or the fake
# driver's simulation) or a device-dax character device (/dev/daxX.Y).
FILE = 'file'
DEVDAX = 'devdax'

_SIZE = re.compile(r'^\s*(\d+)\s*([KMGT]?)(i?B)?\s*$', re.IGNORECASE)
_UNITS = {'': 1, 'K': 1024, 'M': 1024 ** 2, 'G': 1024 ** 3, 'T': 1024 ** 4}


class InvalidPmemConfig(ValueError):
    pass


def parse_namespaces(values):
    """[(label, name)] of ``[libvirt] pmem_namespaces`` (a list of
    ``LABEL:NS[|NS...]`` items); raises InvalidPmemConfig."""
    found = []
    seen = set()
    for item in values or []:
        item = item.strip()
        if not item:
            continue
        label, sep, names = item.partition(':')
        label = label.strip()
        if not sep or not label or not names.strip():
            raise InvalidPmemConfig(
                'pmem_namespaces item %r is not LABEL:NAME[|NAME...]'
                % item)
        for name in names.split('|'):
            name = name.strip()
            if not name:
                raise InvalidPmemConfig(
                    'pmem_namespaces item %r has an empty namespace name'
                    % item)
            if name in seen:
                raise InvalidPmemConfig(
                    'namespace %s is listed twice in pmem_namespaces'
                    % name)
            seen.add(name)
            found.append((label, name))
    return found


def size_of_label(label):
    """Bytes a label names when it reads as a size (``128G``, ``256MiB``,
    ``6GB``), else None."""
    match = _SIZE.match(label or '')
    if not match:
        return None
    return int(match.group(1)) * _UNITS[match.group(2).upper()]


def requested_labels(extra_specs):
    """The namespace labels a flavor's ``hw:pmem`` asks for, in order
    (one entry per namespace); [] without the spec."""
    value = (extra_specs or {}).get(EXTRA_SPEC)
    if not value:
        return []
    return [label.strip() for label in value.split(',') if label.strip()]


def lacking(labels, free_by_label):
    """What ``free_by_label`` ({label: free count}) lacks to hold one
    namespace per entry of ``labels``, as a phrase, or None."""
    wanted = {}
    for label in labels:
        wanted[label] = wanted.get(label, 0) + 1
    short = ['pmem %s: needs %d, free %d'
             % (label, count, free_by_label.get(label, 0))
             for label, count in sorted(wanted.items())
             if count > free_by_label.get(label, 0)]
    return '; '.join(short) or None

"""Flavor extra-spec validation (microversion 2.86).

From 2.86 Nova refuses, with a 400, an extra spec whose namespace it
knows but whose name it does not (``hw:no_such_spec``), and a known
spec with a value it cannot use (``hw:cpu_policy=bogus``). Specs outside
the known namespaces (``migrator:x``, ``foo``) pass unchecked.

The table below is migrator's own: the ``hw:`` specs with their value
rules, and the names of the other namespaces Nova checks. For those
other namespaces only the spec names are checked, not their values
(see the api-ref).
"""
import re

from oslo_utils import strutils

_CPU_SET = r'\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*'


def _enum(*values):
    return ('enum', values)


_BOOL = ('bool', None)
_STR = ('str', None)


def _int(low=None, high=None):
    return ('int', (low, high))


def _pattern(regex):
    return ('pattern', regex)


# name (a regular expression) -> value rule.
_HW = {
    'hw:cpu_realtime': _BOOL,
    'hw:cpu_realtime_mask': _pattern(r'(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*'),
    'hw:hide_hypervisor_id': _BOOL,
    'hw:cpu_policy': _enum('dedicated', 'shared', 'mixed'),
    'hw:cpu_thread_policy': _enum('prefer', 'isolate', 'require'),
    'hw:emulator_threads_policy': _enum('isolate', 'share'),
    'hw:cpu_dedicated_mask': _pattern(_CPU_SET),
    'hw:mem_page_size': _pattern(
        r'(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)'),
    'hw:locked_memory': _BOOL,
    'hw:numa_nodes': _int(1),
    r'hw:numa_cpus\.\d+': _pattern(_CPU_SET),
    r'hw:numa_mem\.\d+': _int(1),
    'hw:pci_numa_affinity_policy': _enum('required', 'preferred',
                                         'legacy', 'socket'),
    'hw:cpu_sockets': _int(1),
    'hw:cpu_cores': _int(1),
    'hw:cpu_threads': _int(1),
    'hw:cpu_max_sockets': _int(1),
    'hw:cpu_max_cores': _int(1),
    'hw:cpu_max_threads': _int(1),
    'hw:boot_menu': _BOOL,
    'hw:vif_multiqueue_enabled': _BOOL,
    'hw:mem_encryption': _BOOL,
    'hw:mem_encryption_model': _enum('amd-sev', 'amd-sev-es',
                                     'amd-sev-snp'),
    'hw:pmem': _pattern('([a-zA-Z0-9_]+(,)?)+'),
    'hw:pmu': _BOOL,
    'hw:serial_port_count': _int(0),
    'hw:tpm_model': _enum('tpm-tis', 'tpm-crb'),
    'hw:tpm_version': _enum('1.2', '2.0'),
    'hw:tpm_secret_security': _enum('user', 'host', 'deployment'),
    'hw:watchdog_action': _enum('none', 'pause', 'poweroff', 'reset',
                                'disabled'),
    'hw:viommu_model': _enum('intel', 'smmuv3', 'virtio', 'auto'),
    'hw:virtio_packed_ring': _BOOL,
    'hw:sound_model': _STR,
    'hw:usb_model': _STR,
    'hw:redirected_usb_ports': _int(0, 15),
    'hw:ephemeral_encryption': _BOOL,
    'hw:ephemeral_encryption_format': _STR,
}

# The other namespaces Nova checks: a name in one of them must match one
# of these (values unchecked here).
_OTHER = [
    r'hw_rng:(allowed|rate_bytes|rate_period)',
    r'hw_video:ram_max_mb',
    r'os:secure_boot',
    r'quota:(cpu|memory|disk_io|vif)_(limit|reservation|shares_level|'
    r'shares_share)',
    r'quota:cpu_(shares|period|quota)',
    r'quota:disk_(read|write|total)_(bytes|iops)_sec',
    r'quota:vif_(inbound|outbound)_(average|peak|burst)',
    r'resources\d*:\w+',
    r'resources_\w+:\w+',
    r'trait\d*:\w+',
    r'trait_\w+:\w+',
    r'accel:device_profile',
    r'pci_passthrough:alias',
]
_NAMESPACES = {'hw', 'hw_rng', 'hw_video', 'os', 'quota', 'accel',
               'pci_passthrough'}
_NAMESPACE_PATTERNS = [r'resources\d*', r'resources_\w+', r'trait\d*',
                       r'trait_\w+']


def _check_value(name, value, rule):
    kind, arg = rule
    if kind == 'bool':
        try:
            strutils.bool_from_string(value, strict=True)
        except ValueError:
            return "'%s' is not a valid boolean-like value" % value
    elif kind == 'int':
        try:
            number = int(value)
        except ValueError:
            return "'%s' is not a valid integer" % value
        low, high = arg
        if low is not None and number < low:
            return "'%s' is less than the minimum of %d" % (value, low)
        if high is not None and number > high:
            return "'%s' is greater than the maximum of %d" % (
                value, high)
    elif kind == 'enum':
        if value not in arg:
            return "'%s' is not one of %s" % (value, ', '.join(arg))
    elif kind == 'pattern':
        if not re.fullmatch(arg, value):
            return "'%s' does not match %s" % (value, arg)
    return None


def _known_namespace(namespace):
    return namespace in _NAMESPACES or any(
        re.fullmatch(p, namespace) for p in _NAMESPACE_PATTERNS)


def problem(name, value):
    """Why extra spec ``name=value`` is refused at 2.86, or None."""
    value = str(value)
    for pattern, rule in _HW.items():
        if re.fullmatch(pattern, name):
            reason = _check_value(name, value, rule)
            if reason:
                return ("Validation failed; extra spec '%s': %s."
                        % (name, reason))
            return None
    if ':' not in name:
        return None
    if not _known_namespace(name.split(':', 1)[0]):
        return None
    if any(re.fullmatch(p, name) for p in _OTHER):
        return None
    return ("Validation failed; extra spec '%s' does not appear to be a "
            "valid extra spec." % name)

"""What this host has and uses, read from libvirtd (``resources`` shape)."""
import os
from xml.etree import ElementTree as etree

from oslo_serialization import jsonutils


def cpu_info(capabilities_xml):
    """JSON of the host CPU from the capabilities XML: arch, model, vendor,
    topology, features (Nova's cpu_info keys)."""
    cpu = etree.fromstring(capabilities_xml).find('./host/cpu')
    info = {'arch': None, 'model': None, 'vendor': None,
            'topology': {}, 'features': []}
    if cpu is not None:
        for key in ('arch', 'model', 'vendor'):
            info[key] = cpu.findtext(key)
        topology = cpu.find('topology')
        if topology is not None:
            info['topology'] = {key: int(topology.get(key))
                                for key in ('sockets', 'cores', 'threads')
                                if topology.get(key)}
        info['features'] = sorted(f.get('name')
                                  for f in cpu.findall('feature'))
    return jsonutils.dumps(info, sort_keys=True)


def cpu_xml(cpu_info_json):
    """A <cpu> description of a host for virConnectCompareCPU."""
    info = jsonutils.loads(cpu_info_json)
    cpu = etree.Element('cpu')
    for key in ('arch', 'model', 'vendor'):
        if info.get(key):
            etree.SubElement(cpu, key).text = info[key]
    if info.get('topology'):
        etree.SubElement(cpu, 'topology',
                         {k: str(v) for k, v in info['topology'].items()})
    for name in info.get('features', []):
        etree.SubElement(cpu, 'feature', name=name)
    return etree.tostring(cpu, encoding='unicode')


def local_disk_gb(path):
    """(total, used) GiB of the file system holding ``path``; (0, 0) when
    it does not exist."""
    try:
        st = os.statvfs(path)
    except OSError:
        return 0, 0
    total = st.f_blocks * st.f_frsize
    free = st.f_bavail * st.f_frsize
    gib = 1024 ** 3
    return total // gib, (total - free) // gib


def guest_usage(domains):
    """(vCPUs, MiB) that the running ``domains`` use."""
    vcpus = memory_mb = 0
    for dom in domains:
        if not dom.isActive():
            continue
        _state, _max_kib, mem_kib, n_vcpus, _cpu_time = dom.info()
        vcpus += n_vcpus
        memory_mb += mem_kib // 1024
    return vcpus, memory_mb

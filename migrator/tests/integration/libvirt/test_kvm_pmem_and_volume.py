"""A PMEM cold migration and a volume swap on two real libvirt/KVM hosts,
through the REST API (the deployment of test_kvm_rest_api: migrator-api,
a conductor, two migrator-compute processes on libvirt, plus a
migrator-volume with two file backends).

The guest (tools/kvm-hosts/pmem.S, assembled by the harness) has a
file-backed vNVDIMM (``<memory model='nvdimm'>``, the flavor's
``hw:pmem=4M``; each compute maps ``[libvirt] pmem_namespaces`` to files
of its own ``pmem_backing_dir``). On first boot it writes a pattern from
a random seed into the NVDIMM and says ``PMEM-WRITTEN <seed>`` on its
serial console; on a later boot it re-checks the pattern and says
``PMEM-INTACT <seed>`` (or ``PMEM-CORRUPT``).

1. Cold migration at 2.105 with ``copy_pmem_devices``: the destination
   guest says ``PMEM-INTACT`` with the seed of the source boot, the
   destination's backing file holds the pattern, the copy's progress
   (``disk_processed`` of os-migrations, 2.106) rises while it runs
   (``[transfer] rate_limit`` makes the 4 MiB copy last seconds), and
   after confirmResize the source namespace is zeroed.
2. The same server, now on the destination, gets a 1 GiB volume whose
   first 64 MiB are random; migrating it to the other backend (block
   storage API 3.72) makes the compute swap it with libvirt
   ``blockCopy`` (``[libvirt] swap_volume_bandwidth`` caps it so that
   it lasts some eight seconds): ``migration_progress`` rises, the guest
   keeps running with its disk now on the new file (live and persistent
   definition), and the data is intact (sha256).

Truth check of the swap: the test samples ``blockJobInfo`` (cur/end) on
its own libvirt connection just before and just after each read of the
volume API. The compute reads cur/end every 0.5 s, so the API's percent
is never above the hypervisor's (read after) and never below what the
hypervisor said 1 s (a poll and 0.5 s of slack) earlier. The PMEM copy
is migrator's own transfer, not a hypervisor job: there is no hypervisor
figure to check it against.
"""
import hashlib
import os
import re
import struct
import time

import sqlalchemy as sa

from migrator.tests import base
from migrator.tests.integration.libvirt import kvm_hosts
from migrator.tests.integration.libvirt import test_kvm_rest_api as kvm_api
from migrator.tests import rest_client

MIB = 1024 * 1024
NS_SIZE = 4 * MIB
# 4 MiB at 1 MiB/s: the copy lasts about four seconds.
PMEM_RATE = MIB
# 1 GiB (zeros count too) at 128 MiB/s: some eight seconds.
SWAP_MIB_S = 128
VOLUME_DATA = 64 * MIB
# The compute polls blockJobInfo every 0.5 s; 0.5 s of slack.
SWAP_MAX_AGE = 1.0
PMEM_LINE = re.compile(r'PMEM-(WRITTEN|INTACT|CORRUPT|NONE) ([0-9a-f]{8})')


def pattern(seed):
    """What pmem.S writes: the magic, the seed, and one dword per 64
    bytes from 64 up to 1 MiB."""
    out = bytearray(MIB)
    out[0:12] = b'MIGRPMEM' + struct.pack('<I', seed)
    x = seed
    for off in range(64, MIB, 64):
        x = (x * 1664525 + 1013904223) & 0xffffffff
        out[off:off + 4] = struct.pack('<I', x)
    return out


def matches_pattern(path, seed):
    expected = pattern(seed)
    with open(path, 'rb') as f:
        data = f.read(MIB)
    # Bytes 12-15 hold the guest's probe; the rest between the dwords is
    # zero, as the namespace was.
    return all(data[off:off + 4] == expected[off:off + 4]
               for off in [0, 4, 8] + list(range(64, MIB, 64)))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(8 * MIB), b''):
            digest.update(block)
    return digest.hexdigest()


class KvmPmemAndVolumeTest(kvm_api._KvmApiScenario, base.TestCase):

    def setUp(self):
        super().setUp()
        # Every guest of this deployment boots the PMEM program.
        self.kvm.image = self.hosts.build_image('pmem')

    def _write_config(self):
        path = super()._write_config()
        with open(path, 'a') as f:
            f.write('[DEFAULT]\nenabled_backends = file1, file2\n'
                    '[volume]\nprogress_interval = 0.2\n'
                    'migration_progress_timeout = 2\n'
                    '[file1]\nvolume_driver = file\n'
                    '[file2]\nvolume_driver = file\n'
                    '[transfer]\nrate_limit = %d\n'
                    % PMEM_RATE)
        return path

    def compute_options(self, n):
        """[libvirt] options of compute ``n`` besides the harness's."""
        return ('pmem_namespaces = 4M:ns0|ns1\npmem_backing_dir = %s\n'
                'swap_volume_bandwidth = %d\n'
                % (os.path.join(self.tmp, 'pmem-compute%d' % n),
                   SWAP_MIB_S))

    # -- helpers --------------------------------------------------------------
    def volume_api(self, method, path, body=None, version='3.72'):
        return rest_client.RESTClient(
            'volume', 'http://127.0.0.1:%d/v3' % self.volume_port).request(
            method, path, body, version=version)

    def volume(self, volume_id):
        status, body = self.volume_api('GET', '/volumes/%s' % volume_id)
        self.assertEqual(200, status, body)
        return body['volume']

    def volume_path(self, volume):
        backend, pool = volume['os-vol-host-attr:host'].split(
            '@')[1].split('#')
        name = 'volume-%s' % (volume['os-vol-mig-status-attr:name_id'] or
                              volume['id'])
        return os.path.join(self.tmp, 'volumes', backend, pool, name)

    def namespaces(self, server_id):
        engine = sa.create_engine(self.cell_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(
                    'SELECT host, name, devpath FROM pmem_namespaces '
                    'WHERE instance_uuid = :u ORDER BY host, name'),
                    {'u': server_id}).all()
        finally:
            engine.dispose()

    def os_migration(self, server_id):
        status, body = self.http(
            'GET', '/os-migrations?instance_uuid=%s' % server_id,
            version='2.106')
        self.assertEqual(200, status, body)
        return body['migrations'][0] if body['migrations'] else None

    def pmem_line(self, n, server_id, timeout=120):
        """The guest's PMEM line on host ``n``'s console, once it is
        ready: (word, seed)."""
        path = self.hosts.console_log(n, server_id)
        kvm_hosts.wait_console(path, timeout)
        with open(path, errors='replace') as f:
            found = PMEM_LINE.findall(f.read())
        self.assertTrue(found, path)
        return found[-1]

    def disk_source(self, n, server_id, dev, flags=0):
        from xml.etree import ElementTree
        xml = self.conn(n).lookupByUUIDString(server_id).XMLDesc(flags)
        for disk in ElementTree.fromstring(xml).iter('disk'):
            if disk.find('target').get('dev') == dev:
                return disk.find('source').get('file')
        return None

    # -- the scenario ---------------------------------------------------------
    def test_pmem_cold_migration_then_volume_swap(self):
        started = time.monotonic()
        self.deploy()
        self.manage('flavor', 'create', 'kvm.pmem', '--ram', '64',
                    '--vcpus', '1', '--disk', '0', '--id', '43',
                    '--property', 'hw:pmem=4M')
        self.start('migrator-volume', 'volume1')
        self.wait_for_states({
            'volume1@file1': ('migrator-volume', 'enabled', 'up'),
            'volume1@file2': ('migrator-volume', 'enabled', 'up')},
            kvm_api.START_TIMEOUT)
        timings = self.truth['timings'] = {
            'deploy_s': round(time.monotonic() - started, 1)}

        # -- 1. PMEM: boot, the guest writes its NVDIMM -----------------------
        t0 = time.monotonic()
        server_id, src = self.create_server('pmem', '43')
        dst = 3 - src
        word, seed = self.pmem_line(src, server_id)
        self.assertEqual('WRITTEN', word)
        timings['boot_s'] = round(time.monotonic() - t0, 1)
        (host, _name, src_path), = self.namespaces(server_id)
        self.assertEqual('compute%d' % src, host)
        self.assertTrue(matches_pattern(src_path, int(seed, 16)))

        # -- cold migration with the PMEM copy --------------------------------
        t0 = time.monotonic()
        status, body = self.http(
            'POST', '/servers/%s/action' % server_id,
            {'migrate': {'copy_pmem_devices': True}}, version='2.105')
        self.assertEqual(202, status, body)
        seen = []
        while True:
            mig = self.os_migration(server_id)
            if mig and mig['disk_processed'] is not None and \
                    mig['status'] == 'migrating':
                seen.append((mig['disk_processed'], mig['disk_total']))
            if mig and mig['status'] in ('finished', 'error', 'failed'):
                break
            self.assertLess(time.monotonic() - t0, 90, mig)
            time.sleep(0.25)
        self.assertEqual('finished', mig['status'], mig)
        self.assertEqual(NS_SIZE, mig['disk_total'])
        self.assertEqual(NS_SIZE, mig['disk_processed'])
        processed = [p for p, _total in seen]
        self.assertEqual(sorted(processed), processed)
        moving = set(p for p in processed if 0 < p < NS_SIZE)
        self.assertGreaterEqual(len(moving), 3, seen)
        self.wait(lambda: self.server(server_id)['status'] ==
                  'VERIFY_RESIZE', 60, 'VERIFY_RESIZE')
        timings['cold_migration_s'] = round(time.monotonic() - t0, 1)
        # Inside the guest, booted on the destination: the same seed's
        # pattern, checked by the guest.
        self.assertEqual(('INTACT', seed),
                         self.pmem_line(dst, server_id))
        (host, _name, dst_path), = [
            ns for ns in self.namespaces(server_id)
            if ns.host == 'compute%d' % dst]
        self.assertTrue(matches_pattern(dst_path, int(seed, 16)))
        status, body = self.http('POST', '/servers/%s/action' % server_id,
                                 {'confirmResize': None})
        self.assertEqual(204, status, body)
        self.wait(lambda: self.server(server_id)['status'] == 'ACTIVE',
                  60, 'ACTIVE after confirm')
        self.assertEqual('running', self.domain_state(dst, server_id))
        self.wait(lambda: self.domain_state(src, server_id) is None, 30,
                  'the guest gone from the source')
        with open(src_path, 'rb') as f:
            self.assertEqual(b'\0' * NS_SIZE, f.read())
        self.truth['pmem copy'] = {
            'samples': len(seen), 'disk_processed_seen': processed,
            'note': 'migrator\'s own transfer: no hypervisor figure'}

        # -- 2. volume swap with blockCopy ------------------------------------
        t0 = time.monotonic()
        status, body = self.volume_api('POST', '/volumes', {
            'volume': {'size': 1, 'name': 'data', 'volume_type': 'file1'}})
        self.assertEqual(202, status, body)
        volume_id = body['volume']['id']
        self.wait(lambda: self.volume(volume_id)['status'] == 'available',
                  60, 'the volume')
        old_path = self.volume_path(self.volume(volume_id))
        with open(old_path, 'r+b') as f:
            f.write(os.urandom(VOLUME_DATA))
        before = sha256(old_path)
        status, body = self.http(
            'POST', '/servers/%s/os-volume_attachments' % server_id,
            {'volumeAttachment': {'volumeId': volume_id}}, version='2.89')
        self.assertEqual(200, status, body)
        dev = body['volumeAttachment']['device'].rsplit('/', 1)[-1]
        self.wait(lambda: self.volume(volume_id)['status'] == 'in-use',
                  60, 'the volume attached')
        self.assertEqual(old_path, self.disk_source(dst, server_id, dev))

        status, body = self.volume_api(
            'POST', '/volumes/%s/action' % volume_id,
            {'os-migrate_volume': {'host': 'volume1@file2'}})
        self.assertEqual(202, status, body)
        dom = self.conn(dst).lookupByUUIDString(server_id)
        samples = []
        while True:
            # The hypervisor's figure just before and just after the API
            # answers: the API's must lie within one poll of them.
            before_info, hv_t = dom.blockJobInfo(dev, 0), time.time()
            vol = self.volume(volume_id)
            after_info = dom.blockJobInfo(dev, 0)
            # 'completing' (the swap's last step) is still under way.
            if vol['migration_status'] not in ('starting', 'migrating',
                                               'completing'):
                break
            if before_info and after_info and after_info.get('end') and \
                    'migration_progress' in vol:
                end = after_info['end']
                samples.append({
                    't': round(hv_t, 3), 'hv_end': end,
                    'hv_cur_before': before_info['cur'],
                    'hv_cur_after': after_info['cur'],
                    'hv_percent_before': before_info['cur'] * 100 // end,
                    'hv_percent_after': after_info['cur'] * 100 // end,
                    'api_percent': int(vol['migration_progress']),
                    'api_call': round(time.time() - hv_t, 3)})
            self.assertLess(time.monotonic() - t0, 120, vol)
            time.sleep(0.2)
        timings['volume_swap_s'] = round(time.monotonic() - t0, 1)
        self.assertEqual('success', vol['migration_status'], vol)
        self.check_swap_truth(samples)

        # The guest runs on with its disk on the new file, data intact.
        self.assertEqual('in-use', vol['status'])
        self.assertEqual('volume1@file2#file2',
                         vol['os-vol-host-attr:host'])
        new_path = self.volume_path(vol)
        self.assertNotEqual(old_path, new_path)
        self.assertEqual(new_path, self.disk_source(dst, server_id, dev))
        self.assertEqual(new_path, self.disk_source(
            dst, server_id, dev, self.libvirt.VIR_DOMAIN_XML_INACTIVE))
        self.assertEqual(before, sha256(new_path))
        self.assertEqual('running', self.domain_state(dst, server_id))
        self.assertEqual('ACTIVE', self.server(server_id)['status'])
        timings['total_s'] = round(time.monotonic() - started, 1)

    def check_swap_truth(self, samples):
        lags, ages = [], []
        for i, s in enumerate(samples):
            # hypervisor (just before the API call) - API, in points.
            lags.append(s['hv_percent_before'] - s['api_percent'])
            # The API's age, at most: since the last sample at which the
            # hypervisor was not yet past the API's figure.
            not_past = [o['t'] for o in samples[:i + 1]
                        if o['hv_percent_before'] <= s['api_percent']]
            if not_past:
                ages.append(round(s['t'] - not_past[-1], 3))
        end = samples[0]['hv_end'] if samples else 0
        self.truth['volume swap'] = {
            'samples_compared': len(samples),
            'lag_max_percent': max(lags, default=None),
            'lag_min_percent': min(lags, default=None),
            'lag_max_mib': round(max(lags, default=0) * end / 100 / MIB, 1),
            'age_max_s': max(ages, default=None),
            'bound_age_s': SWAP_MAX_AGE, 'samples': samples}
        percents = [s['api_percent'] for s in samples]
        self.assertGreaterEqual(len(set(percents)), 3, samples)
        self.assertEqual(sorted(percents), percents)
        for i, s in enumerate(samples):
            # Never ahead of the hypervisor...
            self.assertLessEqual(s['api_percent'], s['hv_percent_after'], s)
            # ... and not older than one poll and the slack.
            older = [o for o in samples[:i]
                     if o['t'] <= s['t'] - SWAP_MAX_AGE]
            if older:
                self.assertGreaterEqual(s['api_percent'],
                                        older[-1]['hv_percent_before'], s)

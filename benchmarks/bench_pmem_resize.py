"""Cold migration with a PMEM copy over SSH, end to end, against the raw
pipe: ``python -m benchmarks.bench_pmem_resize [--quick]``.

An in-process control plane (conductor and two fake compute hosts, the
compute API) whose hosts each have one file-backed namespace of 2 GiB
(256 MiB with ``--quick``), the destination reached over a loopback sshd
(Debian's, throw-away keys). Each round, side by side:

  migrate    POST migrate at 2.105 with copy_pmem_devices, until the
             server is VERIFY_RESIZE (scheduling, claim, power-off, the
             verified and fsync'ed copy, finish), then a revert (not
             timed) to start again
  copy       the copy step alone (``copy_seconds`` the source compute
             records in the Migration's progress detail)
  raw+sync   ``cat src | ssh host 'cat > dst && sync dst'`` of the same
             namespace file over the same sshd

  overhead   migrate − copy within each round: what the move costs besides
             the copy (the API, scheduling, claims, power-off, RPC, the
             finish on the destination, progress saves). It does not grow
             with the namespace, so the end-to-end ratio at 64 MiB
             (--quick) is mostly this fixed cost; at 2 GiB the copy is.

Target (issue 8): migrate ≥ 0.9 × raw+sync throughput; the copy step
alone is reported beside it. Figures go to
benchmarks/results/pmem_resize.json.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import tempfile
import time

from oslo_serialization import jsonutils
import webob

from migrator.objects import compute_node as compute_node_obj
from migrator.objects import flavor as flavor_obj
from migrator.objects import pmem_namespace as pmem_obj
from migrator.tests import fixtures_ssh
from migrator.tests.functional.api import control_plane_api
from migrator.tests.functional import control_plane

MIB = 1024 * 1024
RESULTS = os.path.join(os.path.dirname(__file__), 'results',
                       'pmem_resize.json')


class Bench:

    def __init__(self, size_mib):
        self.size = size_mib * MIB
        label = '%dM' % size_mib
        self.workdir = tempfile.mkdtemp(prefix='migrator-bench-pmem-',
                                        dir='/var/tmp')
        self.sshd = fixtures_ssh.SSHServer()
        self.sshd.setUp()
        self.api = control_plane_api.ControlPlaneAPI(config={
            'libvirt': {'pmem_namespaces': ['%s:pmem0' % label]},
            'fake_driver': {'pmem_dir': self.workdir},
            # Progress saved once a second, as deployed (the functional
            # tests' control plane saves ten times as often).
            'live_migration': {'progress_save_interval': 1.0},
            'transfer': {'ssh_port': self.sshd.port,
                         'ssh_user': self.sshd.user,
                         'ssh_key_file': self.sshd.key_file,
                         'ssh_known_hosts_file':
                             self.sshd.known_hosts_file}})
        self.api.setUp()
        self.plane = self.api.plane
        self.app = self.api.app()
        admin = self.plane.admin
        flavor_obj.Flavor(admin, flavorid='bench', name='bench',
                          memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0,
                          swap=0, is_public=True,
                          extra_specs={'hw:pmem': label}).create()
        for host in ('compute1', 'compute2'):
            node = compute_node_obj.ComputeNode.get_by_host_and_nodename(
                admin, host, host)
            # Each host is "another machine" to the other.
            node.host_ip = ('127.0.0.1' if host == 'compute2'
                            else '127.0.0.2')
            node.save()
        self.server = self.plane.boot('bench', host='compute1')
        ns = pmem_obj.PmemNamespaceList.get_by_instance(
            admin, self.server.uuid)[0]
        self.src = ns.devpath
        with open(self.src, 'r+b') as f:
            block = os.urandom(16 * MIB)
            for _ in range(self.size // len(block)):
                f.write(block)
        self.raw_dst = os.path.join(self.workdir, 'raw-dst')
        self.copy_seconds = []

    def close(self):
        self.api.cleanUp()
        self.sshd.cleanUp()
        subprocess.run(['rm', '-rf', self.workdir])

    def request(self, path, body, version):
        req = webob.Request.blank('/v2.1' + path, method='POST', headers={
            'X-Auth-Token': 'admin:admin',
            'OpenStack-API-Version': 'compute %s' % version})
        req.body = jsonutils.dump_as_bytes(body)
        req.content_type = 'application/json'
        resp = req.get_response(self.app)
        if resp.status_int not in (202, 204):
            raise RuntimeError('%s: %s %s' % (path, resp.status,
                                              resp.body))

    def status(self):
        inst = self.plane.settled(self.server.uuid)
        return inst.vm_state, inst.task_state

    def migrate(self):
        uuid = self.server.uuid
        os.sync()
        start = time.perf_counter()
        self.request('/servers/%s/action' % uuid,
                     {'migrate': {'copy_pmem_devices': True}}, '2.105')
        control_plane.wait_for(lambda: self.status() == ('resized', None),
                               timeout=600, interval=0.1)
        seconds = time.perf_counter() - start
        mig = self.plane.migration_of(uuid)
        if mig.disk_processed != self.size:
            raise RuntimeError('copied %s of %d' % (mig.disk_processed,
                                                    self.size))
        self.copy_seconds.append(mig.progress_detail['copy_seconds'])
        self.request('/servers/%s/action' % uuid, {'revertResize': None},
                     '2.1')
        control_plane.wait_for(lambda: self.status() == ('active', None),
                               timeout=600, interval=0.05)
        return seconds

    def warm_up(self):
        """One short ssh session (keys, sshd's first fork), not a copy of
        the whole namespace."""
        subprocess.run(self.sshd.host.argv(['true']), check=True,
                       stdin=subprocess.DEVNULL)

    def raw(self):
        if os.path.exists(self.raw_dst):
            os.unlink(self.raw_dst)
        os.sync()
        start = time.perf_counter()
        cat = subprocess.Popen(['cat', self.src], stdout=subprocess.PIPE)
        ssh = subprocess.Popen(self.sshd.host.argv(
            ['sh', '-c', 'cat > "$1" && sync "$1"', 'sh', self.raw_dst]),
            stdin=cat.stdout)
        cat.stdout.close()
        if ssh.wait() or cat.wait():
            raise RuntimeError('raw pipe failed')
        return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='256 MiB instead of 2 GiB')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--output', default=RESULTS)
    args = parser.parse_args(argv)
    return measure(args)


def run(quick=False):
    """Issue 14's contract: 64 MiB (quick) or 2 GiB, once."""
    args = argparse.Namespace(quick=quick, repeat=1, output=None,
                              size_mib=64 if quick else 2048)
    result = measure(args)
    return {'name': 'pmem_resize', 'figures': result,
            'ratios': [
                {'name': 'PMEM cold migration / raw+sync pipe',
                 'value': result['ratio'], 'target': '>= 0.9',
                 'met': result['met']},
                {'name': 'PMEM copy step alone / raw+sync pipe',
                 'value': result['copy_ratio'], 'target': 'report',
                 'met': True},
                {'name': 'PMEM fixed overhead (migrate - copy), s',
                 'value': result['fixed_overhead_s'], 'target': 'report',
                 'met': True}],
            'notes': ['end to end: scheduling, claim, power-off, the '
                      'verified fsync\'ed copy and finish, over a loopback '
                      'sshd',
                      'fixed overhead = migrate - copy step (median of '
                      'the rounds): %.2f s, %.0f %% of the migration; it '
                      'does not grow with the size'
                      % (result['fixed_overhead_s'],
                         100 * result['fixed_overhead_share'])]}


def measure(args):
    size_mib = getattr(args, 'size_mib', None) or (
        256 if args.quick else 2048)
    bench = Bench(size_mib)
    samples = {'migrate': [], 'raw+sync': []}
    try:
        bench.warm_up()
        for _ in range(args.repeat):
            samples['migrate'].append(bench.migrate())
            samples['raw+sync'].append(bench.raw())
    finally:
        bench.close()
    samples['copy'] = bench.copy_seconds
    samples['overhead'] = [m - c for m, c in zip(samples['migrate'],
                                                 samples['copy'])]
    rows = {}
    print('PMEM cold migration over SSH, %d MiB, median of %d, %d cores, '
          'load %s' % (size_mib, args.repeat, os.cpu_count(),
                       open('/proc/loadavg').read().split()[0]))
    for name, runs in samples.items():
        seconds = statistics.median(runs)
        rows[name] = {'seconds': round(seconds, 3),
                      'runs_s': [round(r, 3) for r in runs]}
        if name != 'overhead':      # fixed: no throughput of its own
            rows[name]['mib_per_s'] = round(size_mib / seconds, 1)
        print('%-9s %8.2f s %8s MiB/s  runs %s' % (
            name, seconds, rows[name].get('mib_per_s', '-'),
            rows[name]['runs_s']))
    ratio = rows['raw+sync']['seconds'] / rows['migrate']['seconds']
    copy_ratio = rows['raw+sync']['seconds'] / rows['copy']['seconds']
    overhead = rows['overhead']['seconds']
    print('migrate / raw+sync throughput: %.3f (target >= 0.90: %s)'
          % (ratio, 'met' if ratio >= 0.9 else 'NOT met'))
    print('copy    / raw+sync throughput: %.3f (the copy step alone)'
          % copy_ratio)
    print('fixed overhead (migrate - copy): %.2f s, %.0f %% of the '
          'migration' % (overhead, 100 * overhead /
                         rows['migrate']['seconds']))
    result = {'when': datetime.datetime.utcnow().isoformat() + 'Z',
              'load': open('/proc/loadavg').read().split()[0],
              'size_mib': size_mib, 'repeat': args.repeat, 'rows': rows,
              'ratio': round(ratio, 3), 'copy_ratio': round(copy_ratio, 3),
              'fixed_overhead_s': round(overhead, 3),
              'fixed_overhead_share': round(
                  overhead / rows['migrate']['seconds'], 3),
              'target': 0.9, 'met': ratio >= 0.9}
    if args.output:
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()

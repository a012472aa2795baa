"""Two (or more) libvirt/KVM hosts on this machine, for real-hypervisor
tests (after shared/reference/kvm-two-hosts.md).

Each host is a ``libvirtd`` in its own network, mount and UTS namespace,
with its own /etc/libvirt, /run, /var/lib/libvirt, /var/cache/libvirt,
/var/log/libvirt and /etc/hosts under ``<base>/hostN``. Every run has its
own names: namespaces ``migrator-kvm-<tag>-N``, a bridge ``mkb<tag>`` in
the machine's own namespace holding one veth per host, and a /24 of
10.0.0.0/8 not in use here; host N is ``10.A.B.N`` and the machine itself
``10.A.B.254``. So processes in the machine's namespace (migrator-compute)
reach each host at ``qemu+tcp://10.A.B.N/system``, the hosts reach each
other for the migration stream, and RabbitMQ and the database stay on
127.0.0.1.

Teardown is by PID (QEMU pid files under each host's /run, then libvirtd),
then the namespaces and the bridge are deleted. It runs from the fixture's
cleanup, from atexit and on SIGTERM/SIGHUP; a run killed with SIGKILL is
reaped by the next run (its ``owner.pid`` is dead).

Standalone (root)::

    python -m migrator.tests.integration.libvirt.kvm_hosts start BASE
    python -m migrator.tests.integration.libvirt.kvm_hosts stop BASE
"""
import atexit
import glob
import ipaddress
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import fixtures

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..', '..'))
TOOLS = os.path.join(REPO, 'tools', 'kvm-hosts')
BASE_PREFIX = 'migrator-kvm-'
READY_MARKER = 'MIGRATOR-GUEST-READY'
PACKAGES = ('apt-get install -y --no-install-recommends qemu-system-x86 '
            'libvirt-daemon-system libvirt-clients libvirt-dev pkg-config '
            'binutils iproute2; pip install libvirt-python')
NO_KVM_ENV = 'MIGRATOR_NO_KVM'

_LIVE = {}  # base -> Hosts started by this process and not yet stopped


def missing_requirements():
    """What this machine lacks for the KVM tests, as readable strings."""
    missing = []
    if os.geteuid() != 0:
        missing.append('root (network namespaces, libvirtd)')
    if not os.path.exists('/dev/kvm'):
        missing.append('/dev/kvm (hardware virtualization)')
    for tool in ('ip', 'unshare', 'virsh', 'qemu-system-x86_64', 'as',
                 'ld'):
        if shutil.which(tool) is None:
            missing.append('the %s command' % tool)
    if not os.path.exists('/usr/sbin/libvirtd'):
        missing.append('/usr/sbin/libvirtd')
    try:
        import libvirt  # noqa: F401
    except ImportError:
        missing.append('libvirt-python')
    return missing


def require_kvm(testcase):
    """Fail ``testcase`` loudly when the machine cannot run the KVM
    tests, unless MIGRATOR_NO_KVM=1 says that is deliberate (skip)."""
    missing = missing_requirements()
    if not missing:
        return
    message = ('The real-KVM tests need: %s. Packages: %s. Set %s=1 to '
               'skip them deliberately on a machine without KVM.'
               % (', '.join(missing), PACKAGES, NO_KVM_ENV))
    if os.environ.get(NO_KVM_ENV) == '1':
        testcase.skipTest(message)
    sys.stderr.write('\n*** %s ***\n' % message)
    raise AssertionError(message)


def _run(*argv, check=True):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode:
        raise RuntimeError('%s failed (%d): %s%s' % (
            ' '.join(argv), proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_subnet():
    used = _run('ip', '-4', '-o', 'addr', 'show') + _run(
        'ip', '-4', 'route', 'show', 'table', 'all', check=False)
    for _ in range(200):
        net = ipaddress.ip_network('10.%d.%d.0/24' % (
            random.randint(100, 250), random.randint(0, 255)))
        prefix = str(net.network_address).rsplit('.', 1)[0] + '.'
        if prefix not in used:
            return prefix
    raise RuntimeError('no free 10.x.y.0/24 subnet found')


class Hosts(object):
    """The hosts of one run; ``state`` is what teardown needs, also kept
    in ``<base>/state.json`` for a later run to reap."""

    def __init__(self, base, count=2):
        self.base = base
        self.count = count
        self.tag = uuid.uuid4().hex[:6]
        self.prefix = None
        self.state = None

    # -- addresses ----------------------------------------------------------
    def address(self, n):
        return '%s%d' % (self.prefix, n)

    def uri(self, n):
        return 'qemu+tcp://%s/system' % self.address(n)

    def host_dir(self, n):
        return os.path.join(self.base, 'host%d' % n)

    def console_log(self, n, guest_uuid):
        """Where host ``n``'s guest writes its serial console, as this
        namespace sees it (console_log_dir /var/log/libvirt/qemu there)."""
        return os.path.join(self.host_dir(n), 'log', 'qemu',
                            '%s.log' % guest_uuid)

    CONSOLE_LOG_DIR = '/var/log/libvirt/qemu'

    # -- start ----------------------------------------------------------------
    def start(self):
        reap_orphans()
        os.makedirs(self.base, exist_ok=True)
        self.prefix = _free_subnet()
        names = ['migrator-kvm-%s-%d' % (self.tag, n)
                 for n in range(1, self.count + 1)]
        bridge = 'mkb' + self.tag
        self.state = {'owner': os.getpid(), 'netns': [], 'bridge': None,
                      'pids': [], 'hosts': self.count, 'prefix': self.prefix,
                      'tag': self.tag}
        _LIVE[self.base] = self
        self._save()
        with open(os.path.join(self.base, 'owner.pid'), 'w') as f:
            f.write(str(os.getpid()))
        _run('ip', 'link', 'add', bridge, 'type', 'bridge')
        self.state['bridge'] = bridge
        self._save()
        _run('ip', 'addr', 'add', self.prefix + '254/24', 'dev', bridge)
        _run('ip', 'link', 'set', bridge, 'up')
        for n, ns in enumerate(names, 1):
            _run('ip', 'netns', 'add', ns)
            self.state['netns'].append(ns)
            self._save()
            outer, inner = 'mkv%s%d' % (self.tag, n), 'mkp%s%d' % (
                self.tag, n)
            _run('ip', 'link', 'add', outer, 'type', 'veth', 'peer', 'name',
                 inner)
            _run('ip', 'link', 'set', outer, 'master', bridge)
            _run('ip', 'link', 'set', outer, 'up')
            _run('ip', 'link', 'set', inner, 'netns', ns)
            _run('ip', '-n', ns, 'addr', 'add',
                 '%s/24' % self.address(n), 'dev', inner)
            _run('ip', '-n', ns, 'link', 'set', 'lo', 'up')
            _run('ip', '-n', ns, 'link', 'set', inner, 'up')
        for n, ns in enumerate(names, 1):
            self._start_daemon(n, ns)
        for n in range(1, self.count + 1):
            self._wait_daemon(n)
        return self

    def hostname(self, n):
        return 'kvm-%s-%d' % (self.tag, n)

    def _start_daemon(self, n, ns):
        h = self.host_dir(n)
        shutil.rmtree(h, ignore_errors=True)
        for sub in ('etc/qemu', 'run/libvirt', 'lib/qemu', 'lib/images',
                    'cache', 'log/qemu'):
            os.makedirs(os.path.join(h, sub))
        addr = self.address(n)
        with open(os.path.join(h, 'etc', 'libvirtd.conf'), 'w') as f:
            # Distinct host_uuid: libvirt's same-host check compares only
            # that.
            f.write('listen_tls = 0\nlisten_tcp = 1\nauth_tcp = "none"\n'
                    'listen_addr = "%s"\n'
                    'host_uuid = "00000000-0000-4000-8000-%012x"\n'
                    'log_filters = "1:qemu.qemu_migration '
                    '1:qemu.qemu_monitor 1:hypervisor 1:qemu.qemu_domain"\n'
                    'log_outputs = "1:file:/var/log/libvirt/libvirtd.log"\n'
                    % (addr, int(self.tag, 16) * 16 + n))
        with open(os.path.join(h, 'etc', 'qemu.conf'), 'w') as f:
            # No systemd, cgroups or virtlogd: QEMU as root, logs to files.
            f.write('security_driver = "none"\nuser = "root"\n'
                    'group = "root"\ndynamic_ownership = 0\n'
                    'remember_owner = 0\ncgroup_controllers = [ ]\n'
                    'namespaces = [ ]\nstdio_handler = "file"\n'
                    'migration_address = "%s"\n' % addr)
        with open(os.path.join(h, 'hosts'), 'w') as f:
            for m in range(1, self.count + 1):
                f.write('%s %s\n' % (self.address(m), self.hostname(m)))
            f.write('127.0.0.1 localhost\n')
        script = ('hostname %s && mount --bind %s/etc /etc/libvirt && '
                  'mount --bind %s/run /run && '
                  'mount --bind %s/lib /var/lib/libvirt && '
                  'mount --bind %s/cache /var/cache/libvirt && '
                  'mount --bind %s/log /var/log/libvirt && '
                  'mount --bind %s/hosts /etc/hosts && '
                  'exec /usr/sbin/libvirtd -l -f /etc/libvirt/libvirtd.conf'
                  % ((self.hostname(n),) + (h,) * 6))
        with open(os.path.join(h, 'daemon.out'), 'ab') as out:
            # ip netns exec, unshare and bash all exec: the PID is
            # libvirtd's. Its own session: a ^C to the tests is not its.
            proc = subprocess.Popen(
                ['ip', 'netns', 'exec', ns, 'unshare', '-m', '-u',
                 '--propagation', 'private', 'bash', '-c', script],
                stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        self.state['pids'].append(proc.pid)
        self._save()
        with open(os.path.join(h, 'libvirtd.pid'), 'w') as f:
            f.write(str(proc.pid))
        self.__dict__.setdefault('_procs', []).append(proc)

    def _wait_daemon(self, n, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self._procs[n - 1]
            if proc.poll() is not None:
                break
            if subprocess.run(['virsh', '-c', self.uri(n), 'hostname'],
                              capture_output=True, timeout=30,
                              stdin=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.3)
        raise RuntimeError('libvirtd of host %d did not answer at %s; see '
                           '%s/daemon.out and %s/log/libvirtd.log' % (
                               n, self.uri(n), self.host_dir(n),
                               self.host_dir(n)))

    def _save(self):
        with open(os.path.join(self.base, 'state.json'), 'w') as f:
            json.dump(self.state, f)

    # -- guests -------------------------------------------------------------
    def build_guest(self):
        """``<base>/boot.img``: the memory-dirtying boot sector."""
        subprocess.run([os.path.join(TOOLS, 'build-guest.sh')], check=True,
                       capture_output=True, timeout=60,
                       env=dict(os.environ, BASE=self.base))
        return os.path.join(self.base, 'boot.img')

    def build_image(self, source):
        """``<base>/<name>.img`` from ``tools/kvm-hosts/<name>.S``: a
        1 MiB raw disk whose boot sector is that program."""
        return build_boot_image(self.base, source)

    def build_idle_guest(self, data_mib=128):
        """``<base>/idle.img``: a boot sector that does nothing, then
        ``data_mib`` MiB of filler for a local disk made from it."""
        subprocess.run([os.path.join(TOOLS, 'build-idle-guest.sh')],
                       check=True, capture_output=True, timeout=60,
                       env=dict(os.environ, BASE=self.base,
                                DATA_MIB=str(data_mib)))
        return os.path.join(self.base, 'idle.img')

    # Where a compute's [libvirt] local_disk_dir points: a path each
    # host's mount namespace has of its own (<base>/hostN/lib/images).
    LOCAL_DISK_DIR = '/var/lib/libvirt/images'

    def local_disk(self, n, guest_uuid):
        """Host ``n``'s local disk of a guest, as this namespace sees it."""
        return os.path.join(self.host_dir(n), 'lib', 'images',
                            '%s.disk' % guest_uuid)

    def wait_guest_ready(self, n, guest_uuid, timeout=60):
        """Wait for the guest's serial console on host ``n`` to say it
        has filled its memory (READY_MARKER); seconds waited."""
        return wait_console(self.console_log(n, guest_uuid), timeout)

    # -- stop -----------------------------------------------------------------
    def stop(self):
        _LIVE.pop(self.base, None)
        if self.state is not None:
            teardown(self.base, self.state)


def build_boot_image(base, name):
    """Assemble ``tools/kvm-hosts/<name>.S`` into the boot sector of
    ``<base>/<name>.img`` (1 MiB, raw); its path."""
    obj, binary = (os.path.join(base, name + ext) for ext in ('.o', '.bin'))
    image = os.path.join(base, name + '.img')
    # -I: the guests .include boot.inc from their own directory.
    _run('as', '--32', '-I', TOOLS, '-o', obj,
         os.path.join(TOOLS, name + '.S'))
    _run('ld', '-m', 'elf_i386', '-Ttext', '0x7c00', '--oformat', 'binary',
         '-o', binary, obj)
    with open(binary, 'rb') as f:
        sector = f.read()
    if len(sector) != 512:
        raise RuntimeError('%s.S is %d bytes, not one boot sector'
                           % (name, len(sector)))
    with open(image, 'wb') as f:
        f.write(sector)
        f.truncate(1024 * 1024)
    return image


def wait_console(path, timeout=60, marker=READY_MARKER):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with open(path, errors='replace') as f:
                if marker in f.read():
                    return time.monotonic() - start
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    raise AssertionError('no %r on the serial console %s within %ss'
                         % (marker, path, timeout))


def teardown(base, state):
    """Kill guests and daemons by PID, delete the namespaces and the
    bridge, remove ``base``. Never raises."""
    pids = []
    for n in range(1, state.get('hosts', 0) + 1):
        # QEMU pid files have no trailing newline: read each on its own.
        for path in glob.glob(os.path.join(base, 'host%d' % n, 'run',
                                           'libvirt', 'qemu', '*.pid')):
            try:
                with open(path) as f:
                    pids.append(int(f.read().strip()))
            except (OSError, ValueError):
                pass
    pids += state.get('pids', [])
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while any(_pid_alive(p) for p in pids) and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in pids:  # reap our own children
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
    for ns in state.get('netns', []):
        _run('ip', 'netns', 'del', ns, check=False)
    if state.get('bridge'):
        _run('ip', 'link', 'del', state['bridge'], check=False)
    shutil.rmtree(base, ignore_errors=True)


def reap_orphans():
    """Tear down what runs killed with SIGKILL left behind."""
    pattern = os.path.join(tempfile.gettempdir(), BASE_PREFIX + '*',
                           'owner.pid')
    for owner_file in glob.glob(pattern):
        base = os.path.dirname(owner_file)
        try:
            with open(owner_file) as f:
                owner = int(f.read().strip())
            with open(os.path.join(base, 'state.json')) as f:
                state = json.load(f)
        except (OSError, ValueError):
            continue
        if owner != os.getpid() and not _pid_alive(owner):
            teardown(base, state)


def _stop_all():
    for hosts in list(_LIVE.values()):
        hosts.stop()


def _on_signal(signum, frame):
    _stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


_handlers_installed = False


def _install_handlers():
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_stop_all)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _on_signal)


class KvmHosts(fixtures.Fixture):
    """Fixture: ``count`` fresh hosts and the guest image; ``.hosts``."""

    def __init__(self, count=2):
        super().__init__()
        self.count = count

    def _setUp(self):
        _install_handlers()
        base = tempfile.mkdtemp(prefix=BASE_PREFIX)
        self.hosts = Hosts(base, self.count)
        self.addCleanup(self.hosts.stop)
        self.hosts.start()
        self.image = self.hosts.build_guest()


def main(argv):
    command, base = argv[1], argv[2]
    if command == 'start':
        hosts = Hosts(base, int(argv[3]) if len(argv) > 3 else 2)
        try:
            hosts.start()
            hosts.build_guest()
        except Exception:
            hosts.stop()
            raise
        _LIVE.pop(base, None)
        # A standalone run outlives this process: no owner to watch.
        os.unlink(os.path.join(base, 'owner.pid'))
        for n in range(1, hosts.count + 1):
            print('host%d %s %s' % (n, hosts.address(n), hosts.uri(n)))
        print('image %s' % os.path.join(base, 'boot.img'))
        return 0
    if command == 'stop':
        with open(os.path.join(base, 'state.json')) as f:
            teardown(base, json.load(f))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))

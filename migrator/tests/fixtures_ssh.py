"""A real sshd for the tests and benchmarks that copy data over SSH.

``SSHServer`` starts Debian's sshd (openssh-server) on a free loopback port
with its own configuration, a throw-away host key and a throw-away user key
in a temporary directory (``sshd -D -e -f <config>``), and stops it by its
PID on clean-up. It logs in as the user the tests run as (root on the
project's machines). Attributes:

``host``              a ``transfer.SSHHost`` ready to use
``port``, ``user``, ``key_file``, ``known_hosts_file``, ``hostname``
``pid``               the listening sshd
``path``              the temporary directory (keys, config, sshd.log)

It fails (never skips) with a message naming the package when sshd or
ssh-keygen is missing.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import fixtures

from migrator import transfer

SSHD = '/usr/sbin/sshd'
START_TIMEOUT = 20

CONFIG = """\
ListenAddress %(hostname)s
Port %(port)d
HostKey %(host_key)s
PidFile %(path)s/sshd.pid
AuthorizedKeysFile %(path)s/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers %(user)s
UsePAM no
StrictModes no
UseDNS no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTTY no
PrintMotd no
MaxStartups 100
MaxSessions 100
LogLevel INFO
"""


class SSHMissing(AssertionError):
    """sshd cannot be started: the test fails, saying what to install."""


def _free_port(hostname):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((hostname, 0))
        return sock.getsockname()[1]


def _keygen(path):
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C',
                    'migrator-test', '-f', path], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


class SSHServer(fixtures.Fixture):
    """sshd on 127.0.0.1:<free port> with throw-away keys (see module)."""

    def __init__(self, hostname='127.0.0.1', cipher=None):
        super().__init__()
        self.hostname = hostname
        self.cipher = cipher or transfer.ssh.DEFAULT_CIPHER
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.pid = None

    def setUp(self):
        # Not _setUp: fixtures would turn our message into a bare
        # SetupError.
        super().setUp()
        try:
            self._start_server()
        except BaseException:
            self.cleanUp()
            raise

    def _start_server(self):
        for tool, package in ((SSHD, 'openssh-server'),
                              ('ssh-keygen', 'openssh-client'),
                              ('ssh', 'openssh-client')):
            if not shutil.which(tool):
                raise SSHMissing(
                    '%s is not installed: these tests start a real sshd '
                    'and do not skip. Install Debian\'s %s (apt-get install '
                    '%s; tools/run-tests.sh does it when run as root).'
                    % (tool, package, package))
        # The directory must outlive oslotest's per-test TMPDIR juggling.
        self.path = tempfile.mkdtemp(prefix='migrator-sshd-')
        self.addCleanup(shutil.rmtree, self.path, True)
        os.chmod(self.path, 0o700)
        host_key = os.path.join(self.path, 'host_key')
        self.key_file = os.path.join(self.path, 'id_ed25519')
        _keygen(host_key)
        _keygen(self.key_file)
        shutil.copyfile(self.key_file + '.pub',
                        os.path.join(self.path, 'authorized_keys'))
        # sshd refuses to start without its privilege separation directory.
        if os.getuid() == 0:
            os.makedirs('/run/sshd', mode=0o755, exist_ok=True)
        for attempt in range(5):
            self.port = _free_port(self.hostname)
            if self._start(host_key):
                break
        else:
            raise SSHMissing('sshd did not start on %s: %s' % (
                self.hostname, self._log_tail()))
        with open(host_key + '.pub') as f:
            key_type, key = f.read().split()[:2]
        self.known_hosts_file = os.path.join(self.path, 'known_hosts')
        with open(self.known_hosts_file, 'w') as f:
            f.write('[%s]:%d %s %s\n' % (self.hostname, self.port, key_type,
                                         key))
        self.host = transfer.SSHHost(
            self.hostname, port=self.port, user=self.user,
            key_file=self.key_file, known_hosts_file=self.known_hosts_file,
            cipher=self.cipher)

    def _start(self, host_key):
        config = os.path.join(self.path, 'sshd_config')
        with open(config, 'w') as f:
            f.write(CONFIG % {'hostname': self.hostname, 'port': self.port,
                              'host_key': host_key, 'path': self.path,
                              'user': self.user})
        self.log = os.path.join(self.path, 'sshd.log')
        with open(self.log, 'ab') as log:
            proc = subprocess.Popen([SSHD, '-D', '-e', '-f', config],
                                    stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=log)
        self.pid = proc.pid
        self._proc = proc
        self.addCleanup(self._stop, proc)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                socket.create_connection((self.hostname, self.port),
                                         timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        self._stop(proc)
        return False

    def _stop(self, proc):
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()

    def _log_tail(self):
        try:
            with open(self.log) as f:
                return ' '.join(f.read().strip().splitlines()[-5:])
        except OSError as exc:
            return str(exc)

    def session_pids(self):
        """PIDs of the per-connection sshd processes (children of the
        listener and theirs), e.g. to cut a connection in a test.
        """
        children = {}
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            comm = stat[stat.index('(') + 1:stat.rindex(')')]
            ppid = int(stat[stat.rindex(')') + 2:].split()[1])
            children.setdefault(ppid, []).append((int(entry), comm))
        found, todo = [], [self.pid]
        while todo:
            for pid, comm in children.get(todo.pop(), ()):
                if comm == 'sshd':
                    found.append(pid)
                    todo.append(pid)
        return found

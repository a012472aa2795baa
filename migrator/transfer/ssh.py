"""Endpoints on another host, reached with ``ssh``.

Every ssh is an argv list: ``ssh -F none -T -o BatchMode=yes -o
StrictHostKeyChecking=yes -o UserKnownHostsFile=<file> -i <key> -p <port>
-l <user> ... -- <host> <command>``. The remote command is always the same
program, ``migrator/transfer/agent.py``, run as ``python3 -c <its source>
MODE KIND PATH LENGTH CHECKSUM`` with each word quoted by shlex.quote for
the remote POSIX shell; no shell text is ever built from data. The agent
hashes what it writes (or reads) in the same stream, so verification
costs no second pass, and cleans up itself when its stream ends early
(a killed copy or a dropped connection).
"""
import os
import shlex
import subprocess
import threading
import time

from oslo_log import log as logging

from migrator.transfer import agent
from migrator.transfer import base
from migrator.transfer import errors
from migrator.transfer import process

LOG = logging.getLogger(__name__)

with open(os.path.splitext(agent.__file__)[0] + '.py') as _f:
    AGENT_SOURCE = _f.read()

#: The fastest cipher on CPUs with AES instructions (the ones hosts with
#: persistent memory have); ssh's default is chacha20-poly1305.
DEFAULT_CIPHER = 'aes128-gcm@openssh.com'
#: What ssh says when it refuses a host's key.
_HOST_KEY_REFUSED = ('Host key verification failed',
                     'REMOTE HOST IDENTIFICATION HAS CHANGED')
#: Seconds a short remote command (size, zero, delete) may take.
COMMAND_TIMEOUT = 3600
#: How long what a host said about its checksums is believed: a host that
#: gains (or loses) the xxhash module is noticed within this many seconds.
CHECKSUMS_CACHE_SECONDS = 3600
#: Seconds the checksums probe may take (one short ssh).
PROBE_TIMEOUT = 60

#: (ssh argv, host name, python) -> (expires, names): one probe per host.
_checksums_cache = {}
_checksums_lock = threading.Lock()


class SSHHost(object):
    """How to reach a host: ssh in batch mode (never a prompt), its host
    key checked against ``known_hosts_file``, logged in as ``user`` with
    ``key_file``. ``cipher`` None leaves ssh's choice; compression is off
    (migration data is mostly incompressible and compression costs CPU).
    ``python`` is the remote interpreter that runs the agent.
    """

    def __init__(self, hostname, port=22, user=None, key_file=None,
                 known_hosts_file=None, cipher=DEFAULT_CIPHER,
                 connect_timeout=10, python='python3', ssh='ssh',
                 check_host_key=True):
        if not hostname or hostname.startswith('-'):
            raise ValueError('invalid host name: %r' % (hostname,))
        self.hostname = hostname
        self.port = int(port)
        self.user = user
        self.key_file = key_file
        self.known_hosts_file = known_hosts_file
        self.cipher = cipher
        self.connect_timeout = connect_timeout
        self.python = python
        self.ssh = ssh
        self.check_host_key = check_host_key

    def __repr__(self):
        return 'SSHHost(%r, port=%r, user=%r)' % (
            self.hostname, self.port, self.user)

    def __str__(self):
        where = self.hostname if ':' not in self.hostname else (
            '[%s]' % self.hostname)
        if self.user:
            where = '%s@%s' % (self.user, where)
        return where if self.port == 22 else '%s:%d' % (where, self.port)

    def ssh_argv(self):
        """ssh and its options, up to (not including) the host."""
        argv = [self.ssh, '-F', 'none', '-T', '-x', '-a',
                '-o', 'BatchMode=yes',
                '-o', 'StrictHostKeyChecking=%s' % (
                    'yes' if self.check_host_key else 'no'),
                '-o', 'Compression=no',
                '-o', 'ConnectTimeout=%d' % self.connect_timeout,
                '-o', 'ServerAliveInterval=15',
                '-o', 'ServerAliveCountMax=4',
                '-o', 'ControlMaster=no',
                '-o', 'ControlPath=none',
                '-o', 'LogLevel=ERROR',
                '-p', str(self.port)]
        if not self.check_host_key:
            # Not checked, and nothing learnt either.
            argv += ['-o', 'UserKnownHostsFile=/dev/null',
                     '-o', 'GlobalKnownHostsFile=/dev/null']
        elif self.known_hosts_file:
            argv += ['-o', 'UserKnownHostsFile=%s' % self.known_hosts_file,
                     '-o', 'GlobalKnownHostsFile=/dev/null']
        if self.key_file:
            argv += ['-o', 'IdentitiesOnly=yes', '-i', self.key_file]
        if self.cipher:
            argv += ['-o', 'Ciphers=%s' % self.cipher]
        if self.user:
            argv += ['-l', self.user]
        return argv

    def explain(self, message):
        """``message`` (what ssh said), with the cause spelt out when the
        host key was refused."""
        if not any(sign in message for sign in _HOST_KEY_REFUSED):
            return message
        return ('%s (the SSH host key of %s is not in %s or differs from '
                'it; host keys are checked: add its key, verified out of '
                'band, to that file)' % (
                    message, self, self.known_hosts_file or
                    'the known_hosts files'))

    def argv(self, remote_argv):
        """The full argv running ``remote_argv`` on the host; each remote
        word is shlex-quoted (ssh hands the remote shell one string).
        """
        command = ' '.join(shlex.quote(str(word)) for word in remote_argv)
        return self.ssh_argv() + ['--', self.hostname, command]

    def agent_argv(self, *args):
        return self.argv([self.python, '-c', AGENT_SOURCE] + list(args))

    def run_agent(self, *args, timeout=COMMAND_TIMEOUT):
        """Run a short agent command; returns its stdout. Raises
        ``CopyFailed`` naming the host and what the agent said.
        """
        try:
            proc = subprocess.run(self.agent_argv(*args),
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise errors.CopyFailed('ssh to %s failed: %s' % (self, exc))
        if proc.returncode:
            raise errors.CopyFailed('%s on %s failed (exit status %d): %s' % (
                args[0], self, proc.returncode, self.explain(
                    proc.stderr.decode(errors='replace').strip() or
                    'no message')))
        return proc.stdout.decode(errors='replace')

    def checksums(self, clock=time.monotonic):
        """The checksums of ``agent.AUTO_CHOICES`` the host's python can
        compute, preferred first: asked once (one short ssh) and
        remembered for ``CHECKSUMS_CACHE_SECONDS``. A probe that fails is
        not remembered and answers ``['crc32']``; the copy that follows
        reports the real trouble.
        """
        key = (tuple(self.ssh_argv()), self.hostname, self.python)
        now = clock()
        with _checksums_lock:
            cached = _checksums_cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            names = self.run_agent('checksums', '-', '-',
                                   timeout=PROBE_TIMEOUT).split()
        except errors.CopyFailed as exc:
            LOG.debug('Could not ask %s which checksums it has: %s', self,
                      exc)
            return ['crc32']
        names = [n for n in names if n in agent.AUTO_CHOICES] or ['crc32']
        with _checksums_lock:
            _checksums_cache[key] = (now + CHECKSUMS_CACHE_SECONDS, names)
        return names


class _RemoteEndpoint(base.Endpoint):

    def __init__(self, host, path):
        self.host = host
        self.path = os.fspath(path)

    def __repr__(self):
        return '%s(%r, %r)' % (type(self).__name__, self.host, self.path)

    def __str__(self):
        return '%s:%s' % (self.host, self.path)

    def size(self):
        return int(self.host.run_agent('size', self.kind, self.path).strip())

    def checksums(self):
        return self.host.checksums()

    def open_reader(self, length, checksum):
        return process.ProcessReader(
            self.host.agent_argv('read', self.kind, self.path, length,
                                 checksum),
            'reading %s' % self, reports_checksum=True,
            explain=self.host.explain)

    def open_writer(self, length, checksum, sync=True):
        return _RemoteWriter(self, length, checksum, sync)

    def zero(self, length=None):
        self.host.run_agent('zero', self.kind, self.path,
                            '-' if length is None else length)


class RemoteFile(_RemoteEndpoint):
    """A file or block device on ``host``; as a sink it behaves like
    ``LocalFile`` (created and deleted on failure, or overwritten in
    place and zeroed on failure).
    """
    kind = 'file'

    def delete(self):
        self.host.run_agent('delete', self.kind, self.path)


class RemoteDaxDevice(_RemoteEndpoint):
    """A device-dax namespace on ``host``, through ``daxio`` there."""
    kind = 'dax'


class _RemoteWriter(process.ProcessWriter):

    def __init__(self, endpoint, length, checksum, sync):
        self.endpoint = endpoint
        self.length = length
        super().__init__(
            endpoint.host.agent_argv('write', endpoint.kind, endpoint.path,
                                     length, checksum,
                                     'sync' if sync else 'nosync'),
            'writing %s' % endpoint, reports_checksum=True,
            explain=endpoint.host.explain)

    def discard(self):
        """The agent cleans up itself when its input ends early; if it
        did not say so (the connection was lost, it was killed), clean up
        with a second ssh.
        """
        said = self.stdout().split()
        if 'discarded' in said:
            return
        if 'created' in said:
            created = 'created'
        elif 'existing' in said:
            created = 'existing'
        else:
            return      # the agent never started: nothing was written
        self.endpoint.host.run_agent('discard', self.endpoint.kind,
                                     self.endpoint.path, self.length,
                                     created)

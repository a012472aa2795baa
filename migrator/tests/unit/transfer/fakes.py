"""Fake endpoints, a fake clock and a fake ssh for the transfer tests."""
import os
import stat
import sys

import fixtures
import testtools

from migrator.tests import fixtures_dax
from migrator import transfer
from migrator.transfer import local


class FakeClock(object):
    """A clock that moves only when slept on (or ticked)."""

    def __init__(self, tick=0.0):
        self.now = 0.0
        self.tick = tick
        self.sleeps = []

    def __call__(self):
        self.now += self.tick
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class CorruptingFile(local.LocalFile):
    """A sink that flips one byte of what it writes and honestly reports
    the checksum of what it wrote."""

    def open_writer(self, length, checksum, sync=True):
        from migrator.transfer import agent
        writer = super().open_writer(length, checksum, sync)
        hasher = agent.new_checksum(checksum)
        write, finish = writer.write, writer.finish
        state = {'first': True}

        def corrupt_write(view):
            data = bytearray(view)
            if state['first'] and data:
                data[0] ^= 0xff
                state['first'] = False
            hasher.update(data)
            write(data)

        def finish_reporting():
            finish()
            return hasher.hexdigest()

        writer.write = corrupt_write
        writer.finish = finish_reporting
        return writer


class FailingFile(local.LocalFile):
    """A source whose reads fail with EIO once ``fail_after`` bytes were
    read."""

    def __init__(self, path, fail_after):
        super().__init__(path)
        self.fail_after = fail_after

    def open_reader(self, length, checksum):
        reader = super().open_reader(length, checksum)
        readinto = reader.readinto
        state = {'done': 0}

        def failing_readinto(view):
            if state['done'] >= self.fail_after:
                raise OSError(5, 'Input/output error')
            n = readinto(view)
            state['done'] += n
            return n

        reader.readinto = failing_readinto
        return reader


def install_fake_daxio(test, tmpdir=None):
    """Put a fake daxio first on PATH; returns the path of its argv log."""
    return test.useFixture(fixtures_dax.FakeDaxio()).log


FAKE_SSH = r'''#!/bin/sh
# A stand-in for ssh: logs its argv, skips the options up to "--", drops
# the host name and runs the command with sh -c, as sshd would.
printf '%%s\n' "$*" >> "$FAKE_SSH_LOG"
while [ "$1" != "--" ]; do shift; done
shift 2
exec sh -c "$1"
'''


def install_fake_ssh(tmpdir):
    """A fake ssh executable; returns (its path, the path of its log)."""
    path = os.path.join(tmpdir, 'fake-ssh')
    with open(path, 'w') as f:
        f.write(FAKE_SSH % {})
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    log = os.path.join(tmpdir, 'ssh.log')
    open(log, 'w').close()
    os.environ['FAKE_SSH_LOG'] = log
    return path, log


class SourceFileTestCase(testtools.TestCase):
    """A temporary directory (``tmp``, ``path(name)``) holding a source
    file ``src`` of ``DATA_SIZE`` random bytes (``data``)."""

    DATA_SIZE = 300 * 1024 + 7

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.data = os.urandom(self.DATA_SIZE)
        self.src = self.path('src')
        with open(self.src, 'wb') as f:
            f.write(self.data)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def read(self, path):
        with open(path, 'rb') as f:
            return f.read()


class FakeSSHTestCase(SourceFileTestCase):
    """``SourceFileTestCase`` with a host ``remote`` reached through a
    fake ssh that runs the agent locally (its calls logged in
    ``ssh_log``)."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.EnvironmentVariable('FAKE_SSH_LOG'))
        fake_ssh, self.ssh_log = install_fake_ssh(self.tmp)
        self.host = transfer.SSHHost('remote', ssh=fake_ssh,
                                     python=sys.executable)

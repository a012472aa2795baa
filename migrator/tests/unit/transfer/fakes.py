"""Fake endpoints and a fake clock for the transfer tests."""
import os
import stat
import sys

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

    def open_writer(self, length, checksum):
        from migrator.transfer import agent
        writer = super().open_writer(length, checksum)
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


FAKE_DAXIO = r'''#!%(python)s
"""A stand-in for daxio on regular files: logs its argv, then does what
daxio would (-i/-o default to stdin/stdout, -l length, -z zero)."""
import os
import sys

with open(os.environ['FAKE_DAXIO_LOG'], 'a') as log:
    log.write(' '.join(sys.argv[1:]) + '\n')
args = sys.argv[1:]
opts = {}
while args:
    a = args.pop(0)
    if a == '-z':
        opts['z'] = True
    else:
        opts[a] = args.pop(0)
if os.environ.get('FAKE_DAXIO_FAIL') and '-z' not in opts and 'z' not in opts:
    sys.stderr.write('daxio: fake failure\n')
    sys.exit(1)
length = int(opts['-l']) if '-l' in opts else None
if opts.get('z'):
    path = opts['-o']
    if length is None:
        length = os.path.getsize(path)
    with open(path, 'r+b') as f:
        f.write(bytes(length))
    sys.exit(0)
src = open(opts['-i'], 'rb') if '-i' in opts else sys.stdin.buffer
dst = open(opts['-o'], 'r+b') if '-o' in opts else sys.stdout.buffer
if length is None:
    length = os.path.getsize(opts['-i'] if '-i' in opts else opts['-o'])
data = src.read(length)
if len(data) < length:
    sys.stderr.write('daxio: short input\n')
    sys.exit(1)
dst.write(data)
dst.flush()
'''


def install_fake_daxio(test, tmpdir):
    """Put a fake daxio first on PATH; returns the path of its argv log."""
    bindir = os.path.join(tmpdir, 'bin')
    os.mkdir(bindir)
    path = os.path.join(bindir, 'daxio')
    with open(path, 'w') as f:
        f.write(FAKE_DAXIO % {'python': sys.executable})
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    log = os.path.join(tmpdir, 'daxio.log')
    open(log, 'w').close()
    import fixtures
    test.useFixture(fixtures.EnvironmentVariable(
        'PATH', bindir + os.pathsep + os.environ.get('PATH', '')))
    test.useFixture(fixtures.EnvironmentVariable('FAKE_DAXIO_LOG', log))
    return log


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

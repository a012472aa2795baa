"""A stand-in for daxio (Debian's pmdk-tools) where no /dev/dax exists.

``FakeDaxio`` puts an executable named ``daxio`` first on PATH (for this
process and the commands it starts; not for sessions that sshd starts).
It logs each command line to ``log`` (``calls()`` reads them) and does on
regular files what daxio does on a device: ``-i``/``-o`` default to
stdin/stdout, ``-l`` is the length (default: the file's size), ``-z``
zeroes. Set ``FAKE_DAXIO_FAIL=1`` in the environment to make reads and
writes fail (exit 1, ``daxio: fake failure``); zeroing still works.
"""
import os
import stat
import sys

import fixtures

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


class FakeDaxio(fixtures.Fixture):

    def _setUp(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.bindir = os.path.join(tmp, 'bin')
        os.mkdir(self.bindir)
        path = os.path.join(self.bindir, 'daxio')
        with open(path, 'w') as f:
            f.write(FAKE_DAXIO % {'python': sys.executable})
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        self.log = os.path.join(tmp, 'daxio.log')
        open(self.log, 'w').close()
        self.useFixture(fixtures.EnvironmentVariable(
            'PATH', self.bindir + os.pathsep + os.environ.get('PATH', '')))
        self.useFixture(fixtures.EnvironmentVariable('FAKE_DAXIO_LOG',
                                                     self.log))

    def calls(self):
        """The argument lists daxio was run with, one string each."""
        with open(self.log) as f:
            return f.read().splitlines()

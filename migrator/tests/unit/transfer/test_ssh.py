"""SSH endpoints: the argv they run, and their behaviour through a fake
ssh that runs the remote command locally (the real sshd is in the
functional tests, migrator/tests/functional/test_transfer_ssh.py)."""
import os
import shlex
import subprocess
import sys

import fixtures
import testtools

from migrator.tests.unit.transfer import fakes
from migrator import transfer
from migrator.transfer import agent
from migrator.transfer import ssh


class TestSSHArgv(testtools.TestCase):

    def test_argv(self):
        host = transfer.SSHHost('cmp2.example', port=2222, user='migrator',
                                key_file='/etc/migrator/id_ed25519',
                                known_hosts_file='/etc/migrator/known')
        argv = host.argv(['cat', "/srv/a b'c"])
        self.assertEqual(
            ['ssh', '-F', 'none', '-T', '-x', '-a',
             '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
             '-o', 'Compression=no', '-o', 'ConnectTimeout=10',
             '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4',
             '-o', 'ControlMaster=no', '-o', 'ControlPath=none',
             '-o', 'LogLevel=ERROR', '-p', '2222',
             '-o', 'UserKnownHostsFile=/etc/migrator/known',
             '-o', 'GlobalKnownHostsFile=/dev/null',
             '-o', 'IdentitiesOnly=yes', '-i', '/etc/migrator/id_ed25519',
             '-o', 'Ciphers=aes128-gcm@openssh.com',
             '-l', 'migrator', '--', 'cmp2.example',
             "cat '/srv/a b'\"'\"'c'"], argv)
        self.assertEqual(['cat', "/srv/a b'c"], shlex.split(argv[-1]))

    def test_defaults_leave_ssh_its_own(self):
        argv = transfer.SSHHost('h', cipher=None).argv(['true'])
        for word in ('-i', '-l', 'IdentitiesOnly=yes'):
            self.assertNotIn(word, argv)
        self.assertFalse([w for w in argv if w.startswith('Ciphers=')])
        self.assertIn('BatchMode=yes', argv)
        self.assertIn('StrictHostKeyChecking=yes', argv)

    def test_agent_command_is_fixed(self):
        host = transfer.SSHHost('h')
        argv = host.agent_argv('write', 'file', '/x; rm -rf /', 10,
                               'sha256')
        self.assertEqual(
            ['python3', '-c', ssh.AGENT_SOURCE, 'write', 'file',
             '/x; rm -rf /', '10', 'sha256'], shlex.split(argv[-1]))

    def test_host_key_check_opt_out(self):
        argv = transfer.SSHHost('h', known_hosts_file='/kh',
                                check_host_key=False).argv(['true'])
        self.assertIn('StrictHostKeyChecking=no', argv)
        self.assertNotIn('StrictHostKeyChecking=yes', argv)
        self.assertIn('UserKnownHostsFile=/dev/null', argv)
        self.assertNotIn('UserKnownHostsFile=/kh', argv)

    def test_refused_host_key_is_explained(self):
        host = transfer.SSHHost('h', known_hosts_file='/kh')
        said = host.explain('Host key verification failed.')
        self.assertIn('the SSH host key of h is not in /kh', said)
        self.assertEqual('Permission denied', host.explain(
            'Permission denied'))

    def test_host_name_cannot_be_an_option(self):
        self.assertRaises(ValueError, transfer.SSHHost, '-oProxyCommand=x')
        self.assertRaises(ValueError, transfer.SSHHost, '')

    def test_str(self):
        self.assertEqual('u@h:2222', str(transfer.SSHHost('h', 2222, 'u')))
        self.assertEqual('[::1]', str(transfer.SSHHost('::1')))


class TestRemoteEndpoints(fakes.FakeSSHTestCase):
    """RemoteFile and RemoteDaxDevice through a fake ssh that runs the
    agent locally."""

    def test_to_and_from_a_remote_file(self):
        remote = transfer.RemoteFile(self.host, self.path("r e'mote"))
        pushed = transfer.copy(transfer.LocalFile(self.src), remote,
                               chunk_size=64 * 1024)
        self.assertEqual(self.data, self.read(self.path("r e'mote")))
        self.assertEqual(len(self.data), remote.size())
        back = self.path('back')
        pulled = transfer.copy(remote, transfer.LocalFile(back))
        self.assertEqual(self.data, self.read(back))
        self.assertEqual(pushed.checksum, pulled.checksum)
        remote.delete()
        self.assertFalse(os.path.exists(self.path("r e'mote")))

    def test_remote_to_remote(self):
        a = transfer.RemoteFile(self.host, self.src)
        b = transfer.RemoteFile(self.host, self.path('b'))
        transfer.copy(a, b, checksum='crc32')
        self.assertEqual(self.data, self.read(self.path('b')))

    def test_remote_checksum_mismatch_deletes_created_file(self):
        dst = self.path('dst')
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.ssh.AGENT_SOURCE', ssh.AGENT_SOURCE.replace(
                "'checksum %s' % digest",
                "'checksum 00'")))
        exc = self.assertRaises(
            transfer.ChecksumMismatch, transfer.copy,
            transfer.LocalFile(self.src), transfer.RemoteFile(self.host, dst))
        self.assertIn('remote:%s reports it wrote (00)' % dst, str(exc))
        self.assertFalse(os.path.exists(dst))

    def test_remote_source_checksum_is_compared(self):
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.ssh.AGENT_SOURCE', ssh.AGENT_SOURCE.replace(
                "'checksum %s' % digest",
                "'checksum 00'")))
        dst, old = self.path('dst'), os.urandom(400 * 1024)
        with open(dst, 'wb') as f:
            f.write(old)
        exc = self.assertRaises(
            transfer.ChecksumMismatch, transfer.copy,
            transfer.RemoteFile(self.host, self.src), transfer.LocalFile(dst))
        self.assertIn('reports it read (00)', str(exc))
        self.assertEqual(bytes(len(self.data)) + old[len(self.data):],
                         self.read(dst))

    def test_unwritable_remote_path(self):
        dst = self.path('no/such/dir/dst')
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy,
            transfer.LocalFile(self.src), transfer.RemoteFile(self.host, dst))
        self.assertIn('writing remote:%s failed' % dst, str(exc))
        self.assertIn('No such file or directory', str(exc))

    def test_missing_remote_source(self):
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy,
            transfer.RemoteFile(self.host, self.path('nope')),
            transfer.LocalFile(self.path('dst')), length=10)
        self.assertIn('reading remote:%s' % self.path('nope'), str(exc))
        self.assertFalse(os.path.exists(self.path('dst')))

    def test_cancel_deletes_the_remote_file(self):
        import threading
        cancel = threading.Event()

        def on_progress(p):
            if p.processed:
                cancel.set()
        dst = self.path('dst')
        self.assertRaises(
            transfer.CopyCancelled, transfer.copy,
            transfer.LocalFile(self.src), transfer.RemoteFile(self.host, dst),
            chunk_size=64 * 1024, on_progress=on_progress,
            progress_interval=0, cancel=cancel)
        self.assertFalse(os.path.exists(dst))

    def test_remote_zero(self):
        transfer.zero(transfer.RemoteFile(self.host, self.src), 1000)
        self.assertEqual(bytes(1000) + self.data[1000:], self.read(self.src))

    def test_hostile_path_is_passed_literally(self):
        # A remote path with every character a shell reacts to reaches the
        # remote agent as one literal word: no command runs, the file of
        # exactly that name is written, read, zeroed and deleted.
        # The remote shell starts in this directory.
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.tmp)
        pwned = self.path('pwned')
        name = "a b'c\"d;touch pwned;$(touch pwned)`touch pwned`\n& | > <x"
        dst = self.path(name)
        remote = transfer.RemoteFile(self.host, dst)
        transfer.copy(transfer.LocalFile(self.src), remote)
        self.assertEqual(self.data, self.read(dst))
        self.assertEqual(len(self.data), remote.size())
        back = self.path('back')
        transfer.copy(remote, transfer.LocalFile(back))
        self.assertEqual(self.data, self.read(back))
        transfer.zero(remote, 10)
        self.assertEqual(bytes(10), self.read(dst)[:10])
        remote.delete()
        self.assertFalse(os.path.exists(dst))
        self.assertFalse(os.path.exists(pwned))

    def test_remote_dax(self):
        log = fakes.install_fake_daxio(self, self.tmp)
        dev = self.path('dax1.0')
        with open(dev, 'wb') as f:
            f.write(bytes(400 * 1024))
        transfer.copy(transfer.LocalFile(self.src),
                      transfer.RemoteDaxDevice(self.host, dev))
        self.assertEqual(self.data, self.read(dev)[:len(self.data)])
        transfer.zero(transfer.RemoteDaxDevice(self.host, dev))
        self.assertEqual(bytes(400 * 1024), self.read(dev))
        with open(log) as f:
            self.assertEqual(['-o %s -l %d' % (dev, len(self.data)),
                              '-z -o %s' % dev], f.read().splitlines())
        self.assertRaises(transfer.TransferError,
                          transfer.RemoteDaxDevice(self.host, dev).delete)


class TestAgent(testtools.TestCase):
    """The agent program on its own, as the remote side runs it."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def run_agent(self, *args, data=b''):
        return subprocess.run(
            [sys.executable, '-c', ssh.AGENT_SOURCE] + [str(a) for a in args],
            input=data, capture_output=True)

    def test_write_reports_what_it_received(self):
        path = os.path.join(self.tmp, 'f')
        proc = self.run_agent('write', 'file', path, 5, 'sha256',
                              data=b'hello')
        self.assertEqual(0, proc.returncode, proc.stderr)
        checksum = agent.new_checksum('sha256')
        checksum.update(b'hello')
        self.assertEqual('created\nchecksum %s\n' % checksum.hexdigest(),
                         proc.stdout.decode())
        with open(path, 'rb') as f:
            self.assertEqual(b'hello', f.read())

    def test_short_input_deletes_a_created_file(self):
        path = os.path.join(self.tmp, 'f')
        proc = self.run_agent('write', 'file', path, 10, 'crc32',
                              data=b'hello')
        self.assertEqual(agent.FAILED, proc.returncode)
        self.assertEqual('created\ndiscarded\n', proc.stdout.decode())
        self.assertIn(b'input ended after 5 of 10 bytes', proc.stderr)
        self.assertFalse(os.path.exists(path))

    def test_short_input_zeroes_an_existing_file(self):
        path = os.path.join(self.tmp, 'f')
        with open(path, 'wb') as f:
            f.write(b'x' * 20)
        proc = self.run_agent('write', 'file', path, 10, 'crc32',
                              data=b'hello')
        self.assertEqual('existing\ndiscarded\n', proc.stdout.decode())
        with open(path, 'rb') as f:
            self.assertEqual(bytes(10) + b'x' * 10, f.read())

    def test_discard(self):
        path = os.path.join(self.tmp, 'f')
        with open(path, 'wb') as f:
            f.write(b'x' * 20)
        self.assertEqual(0, self.run_agent('discard', 'file', path, 5,
                                           'existing').returncode)
        with open(path, 'rb') as f:
            self.assertEqual(bytes(5) + b'x' * 15, f.read())
        self.assertEqual(0, self.run_agent('discard', 'file', path, 5,
                                           'created').returncode)
        self.assertFalse(os.path.exists(path))

    def test_read_shorter_file_fails(self):
        path = os.path.join(self.tmp, 'f')
        with open(path, 'wb') as f:
            f.write(b'abc')
        proc = self.run_agent('read', 'file', path, 5, 'crc32')
        self.assertEqual(agent.FAILED, proc.returncode)
        self.assertIn(b'ended after 3 of 5 bytes', proc.stderr)

    def test_unknown_mode(self):
        proc = self.run_agent('frobnicate', 'file', '/x')
        self.assertEqual(agent.FAILED, proc.returncode)
        self.assertIn(b"unknown mode 'frobnicate'", proc.stderr)


class TestConfig(testtools.TestCase):

    def setUp(self):
        super().setUp()
        from migrator.tests import fixtures as migrator_fixtures
        self.conf = self.useFixture(migrator_fixtures.ConfFixture())

    def test_ssh_host_from_options(self):
        self.conf.config(group='transfer', ssh_user='mig', ssh_port=2200,
                         ssh_key_file='/k', ssh_known_hosts_file='/kh',
                         ssh_cipher='', remote_python='/usr/bin/python3')
        host = transfer.ssh_host('cmp2')
        self.assertEqual(('cmp2', 2200, 'mig', '/k', '/kh', None,
                          '/usr/bin/python3'),
                         (host.hostname, host.port, host.user,
                          host.key_file, host.known_hosts_file,
                          host.cipher, host.python))

    def test_host_keys_are_checked_unless_opted_out_with_a_warning(self):
        log = self.useFixture(fixtures.FakeLogger(
            name='migrator.transfer.config'))
        self.assertTrue(transfer.ssh_host('cmp2').check_host_key)
        self.assertEqual('', log.output)
        self.conf.config(group='transfer',
                         ssh_strict_host_key_checking=False)
        host = transfer.ssh_host('cmp2')
        self.assertIn('StrictHostKeyChecking=no', host.argv(['true']))
        self.assertIn('SSH host key of cmp2 NOT checked', log.output)

    def test_copy_options(self):
        self.assertEqual({'chunk_size': 4 * 1024 * 1024, 'rate_limit': None,
                          'verify': True,
                          'checksum': transfer.DEFAULT_CHECKSUM},
                         transfer.copy_options())
        self.conf.config(group='transfer', rate_limit=10 ** 8,
                         checksum='crc32', verify=False)
        self.assertEqual((10 ** 8, 'crc32', False), (
            transfer.copy_options()['rate_limit'],
            transfer.copy_options()['checksum'],
            transfer.copy_options()['verify']))


class TestFileSinkDurability(testtools.TestCase):
    """A synced sink flushes once, after its last write, as
    ``cat > f && sync f`` does: no fsync, fdatasync, sync_file_range or
    fadvise per chunk (issue 14: the copy's sync cost must be one sync at
    the end)."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.calls = []
        # No real data: writes are counted, flushes recorded in order.
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.agent.write_all',
            lambda fd, data: self.calls.append(('write', len(data)))))
        for name in ('fsync', 'fdatasync', 'posix_fadvise',
                     'sync_file_range'):
            self.useFixture(fixtures.MonkeyPatch(
                'os.' + name, self.recorder(name)))

    def recorder(self, name):
        return lambda *args: self.calls.append((name,) + args[:1])

    def flushes(self):
        return [c for c in self.calls if c[0] != 'write']

    def test_one_fsync_after_the_last_write(self):
        sink = agent.FileSink(os.path.join(self.tmp, 'f'))
        fd = sink.fd
        chunk = memoryview(bytes(1024 * 1024))
        for _ in range(200):        # 200 MiB in 1 MiB chunks
            sink.write(chunk)
        self.assertEqual([], self.flushes())
        sink.finish()
        self.assertEqual([('fsync', fd)], self.flushes())
        self.assertEqual(('fsync', fd), self.calls[-1])
        self.assertEqual(200 * 1024 * 1024, sink.written)

    def test_nosync_never_flushes(self):
        sink = agent.FileSink(os.path.join(self.tmp, 'f'), sync=False)
        for _ in range(100):
            sink.write(memoryview(bytes(1024 * 1024)))
        sink.finish()
        self.assertEqual([], self.flushes())

    def test_local_copy_fsyncs_the_sink_once(self):
        src = os.path.join(self.tmp, 'src')
        with open(src, 'wb') as f:
            f.write(os.urandom(300 * 1024))
        transfer.copy(transfer.LocalFile(src),
                      transfer.LocalFile(os.path.join(self.tmp, 'dst')),
                      chunk_size=64 * 1024)
        self.assertEqual(['fsync'], [c[0] for c in self.flushes()])


class TestStreamingChecksum(testtools.TestCase):
    """The agent hashes what it writes in the same pass, across its
    buffers, and a mismatch is still caught with the default checksum."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def test_agent_hashes_every_buffer_it_writes(self):
        import xxhash
        data = os.urandom(5 * agent.BUFFER_SIZE + 17)
        path = os.path.join(self.tmp, 'f')
        proc = subprocess.run(
            [sys.executable, '-c', ssh.AGENT_SOURCE, 'write', 'file', path,
             str(len(data)), 'xxh3_128'], input=data, capture_output=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual('created\nchecksum %s\n'
                         % xxhash.xxh3_128(data).hexdigest(),
                         proc.stdout.decode())
        with open(path, 'rb') as f:
            self.assertEqual(data, f.read())

    def test_a_byte_changed_on_the_far_side_is_caught(self):
        # The remote agent writes one byte differently from what it was
        # sent (and reports the checksum of what it wrote): the copy
        # fails and the remote file is gone.
        self.useFixture(fixtures.EnvironmentVariable('FAKE_SSH_LOG'))
        fake_ssh, _ = fakes.install_fake_ssh(self.tmp)
        host = transfer.SSHHost('remote', ssh=fake_ssh,
                                python=sys.executable)
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.ssh.AGENT_SOURCE', ssh.AGENT_SOURCE.replace(
                '            if not n:\n                break\n',
                '            if not n:\n                break\n'
                '            if done == agent_corrupt_at:\n'
                '                view[7] ^= 1\n').replace(
                'FAILED = 3\n', 'FAILED = 3\nagent_corrupt_at = %d\n'
                % (2 * agent.BUFFER_SIZE))))
        src, dst = (os.path.join(self.tmp, n) for n in ('src', 'dst'))
        with open(src, 'wb') as f:
            f.write(os.urandom(4 * agent.BUFFER_SIZE + 3))
        for checksum in ('crc32', 'xxh3_128', 'sha256'):
            exc = self.assertRaises(
                transfer.ChecksumMismatch, transfer.copy,
                transfer.LocalFile(src), transfer.RemoteFile(host, dst),
                checksum=checksum)
            self.assertNotEqual(exc.expected, exc.actual)
            self.assertFalse(os.path.exists(dst))


class TestBuffers(testtools.TestCase):
    """The checksum comes out the same computed inline or in a thread."""

    def test_inline_and_threaded_agree(self):
        data = os.urandom(3 * 300 * 1024 + 5)
        digests = []
        for thread in (False, True):
            buffers = agent.Buffers(300 * 1024, agent.new_checksum('sha256'),
                                    thread=thread)
            try:
                for start in range(0, len(data), 300 * 1024):
                    view = buffers.next()
                    piece = data[start:start + 300 * 1024]
                    view[:len(piece)] = piece
                    buffers.hash(view[:len(piece)])
                digests.append(buffers.hexdigest())
            finally:
                buffers.close()
        expected = agent.new_checksum('sha256')
        expected.update(data)
        self.assertEqual([expected.hexdigest()] * 2, digests)


class TestAgentOpenFailure(testtools.TestCase):

    def test_a_path_it_cannot_open_is_left_alone(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        proc = subprocess.run(
            [sys.executable, '-c', ssh.AGENT_SOURCE, 'write', 'file', tmp,
             '5', 'crc32'], input=b'hello', capture_output=True)
        self.assertEqual(agent.FAILED, proc.returncode)
        self.assertEqual('existing\ndiscarded\n', proc.stdout.decode())
        self.assertIn(b'Is a directory', proc.stderr)
        self.assertNotIn(b'cleaning', proc.stderr)
        self.assertTrue(os.path.isdir(tmp))

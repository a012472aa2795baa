"""transfer over a real SSH hop: Debian's sshd on a loopback port with
throw-away keys (migrator.tests.fixtures_ssh.SSHServer)."""
import os
import signal
import threading

import fixtures
import testtools

from migrator.tests import fixtures_ssh
from migrator.tests.unit.transfer import fakes as transfer_fakes
from migrator import transfer

KIB = 1024
MIB = 1024 * KIB


class TestCopyOverSSH(transfer_fakes.SourceFileTestCase):

    DATA_SIZE = 5 * MIB + 12345

    def setUp(self):
        super().setUp()
        self.sshd = self.useFixture(fixtures_ssh.SSHServer())

    def test_to_a_remote_file_and_back(self):
        remote = transfer.RemoteFile(self.sshd.host, self.path('on host'))
        seen = []
        pushed = transfer.copy(transfer.LocalFile(self.src), remote,
                               chunk_size=1 * MIB, on_progress=seen.append,
                               progress_interval=0)
        self.assertEqual(self.data, self.read(self.path('on host')))
        self.assertEqual(len(self.data), remote.size())
        self.assertEqual(100, seen[-1].percent)
        self.assertEqual(sorted(p.percent for p in seen),
                         [p.percent for p in seen])
        pulled = transfer.copy(remote, transfer.LocalFile(self.path('back')))
        self.assertEqual(self.data, self.read(self.path('back')))
        self.assertEqual(pushed.checksum, pulled.checksum)
        transfer.zero(remote, 1000)
        self.assertEqual(bytes(1000) + self.data[1000:],
                         self.read(self.path('on host')))
        remote.delete()
        self.assertFalse(os.path.exists(self.path('on host')))

    def test_options_from_configuration(self):
        from migrator.tests import fixtures as migrator_fixtures
        conf = self.useFixture(migrator_fixtures.ConfFixture())
        conf.config(group='transfer', ssh_user=self.sshd.user,
                    ssh_port=self.sshd.port, ssh_key_file=self.sshd.key_file,
                    ssh_known_hosts_file=self.sshd.known_hosts_file,
                    checksum='crc32')
        host = transfer.ssh_host(self.sshd.hostname)
        result = transfer.copy(transfer.LocalFile(self.src),
                               transfer.RemoteFile(host, self.path('dst')),
                               **transfer.copy_options())
        self.assertEqual(8, len(result.checksum))
        self.assertEqual(self.data, self.read(self.path('dst')))

    def test_xxh3_checksum_on_both_ends(self):
        # The far end is Debian's python3, with Debian's python3-xxhash
        # (the login shell's PATH may find another python3 first).
        import xxhash
        back = self.path('back')
        host = transfer.SSHHost(
            self.sshd.hostname, port=self.sshd.port, user=self.sshd.user,
            key_file=self.sshd.key_file,
            known_hosts_file=self.sshd.known_hosts_file,
            python='/usr/bin/python3')
        remote = transfer.RemoteFile(host, self.path('dst'))
        pushed = transfer.copy(transfer.LocalFile(self.src), remote,
                               checksum='xxh3_128')
        pulled = transfer.copy(remote, transfer.LocalFile(back),
                               checksum='xxh3_128')
        self.assertEqual(xxhash.xxh3_128(self.data).hexdigest(),
                         pushed.checksum)
        self.assertEqual(pushed.checksum, pulled.checksum)
        self.assertEqual(self.data, self.read(back))

    def test_unwritable_remote_path_leaves_nothing(self):
        dst = self.path('missing-dir/dst')
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy, transfer.LocalFile(self.src),
            transfer.RemoteFile(self.sshd.host, dst))
        self.assertIn('writing %s:%s failed' % (self.sshd.host, dst),
                      str(exc))
        self.assertIn('No such file or directory', str(exc))
        self.assertFalse(os.path.exists(dst))

    def test_connection_killed_mid_copy_leaves_no_partial_file(self):
        dst = self.path('dst')

        def cut_connection(progress):
            if progress.processed >= 2 * MIB:
                for pid in self.sshd.session_pids():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy, transfer.LocalFile(self.src),
            transfer.RemoteFile(self.sshd.host, dst), chunk_size=256 * KIB,
            on_progress=cut_connection, progress_interval=0)
        self.assertIn('writing %s:%s failed' % (self.sshd.host, dst),
                      str(exc))
        self.assertTrue(exc.sink_cleaned)
        self.assertFalse(os.path.exists(dst))

    def test_existing_remote_file_is_zeroed_on_failure(self):
        dst = self.path('namespace')
        old = os.urandom(6 * MIB)
        with open(dst, 'wb') as f:
            f.write(old)
        cancel = threading.Event()

        def on_progress(progress):
            if progress.processed:
                cancel.set()
        self.assertRaises(
            transfer.CopyCancelled, transfer.copy,
            transfer.LocalFile(self.src),
            transfer.RemoteFile(self.sshd.host, dst), chunk_size=1 * MIB,
            on_progress=on_progress, progress_interval=0, cancel=cancel)
        self.assertEqual(bytes(len(self.data)) + old[len(self.data):],
                         self.read(dst))

    def test_unknown_host_key_is_refused(self):
        known = self.path('empty_known_hosts')
        open(known, 'w').close()
        host = transfer.SSHHost(self.sshd.hostname, port=self.sshd.port,
                                user=self.sshd.user,
                                key_file=self.sshd.key_file,
                                known_hosts_file=known)
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy, transfer.LocalFile(self.src),
            transfer.RemoteFile(host, self.path('dst')))
        self.assertIn('Host key verification failed', str(exc))
        self.assertIn('the SSH host key of %s is not in %s' % (host, known),
                      str(exc))
        self.assertFalse(os.path.exists(self.path('dst')))

    def test_changed_host_key_is_refused(self):
        # known_hosts holds another key for this host and port: a
        # man-in-the-middle, as ssh sees it.
        other = self.path('other_host_key')
        fixtures_ssh._keygen(other)
        with open(other + '.pub') as f:
            key_type, key = f.read().split()[:2]
        known = self.path('known_hosts')
        with open(known, 'w') as f:
            f.write('[%s]:%d %s %s\n' % (self.sshd.hostname, self.sshd.port,
                                         key_type, key))
        host = transfer.SSHHost(self.sshd.hostname, port=self.sshd.port,
                                user=self.sshd.user,
                                key_file=self.sshd.key_file,
                                known_hosts_file=known)
        exc = self.assertRaises(transfer.CopyFailed,
                                transfer.RemoteFile(host, self.src).size)
        self.assertIn('the SSH host key of %s is not in %s or differs' % (
            host, known), str(exc))

    def test_unchecked_host_key_when_opted_out(self):
        known = self.path('empty_known_hosts')
        open(known, 'w').close()
        host = transfer.SSHHost(self.sshd.hostname, port=self.sshd.port,
                                user=self.sshd.user,
                                key_file=self.sshd.key_file,
                                known_hosts_file=known, check_host_key=False)
        self.assertEqual(len(self.data),
                         transfer.RemoteFile(host, self.src).size())
        # Nothing learnt.
        self.assertEqual(0, os.path.getsize(known))

    def test_hostile_path_is_written_literally(self):
        # Commands without "/" (a file name holds none): sshd's shell
        # starts in the home directory, the agent's cwd is checked too.
        home = os.path.expanduser('~')
        for where in (home, self.tmp):
            self.assertFalse(os.path.exists(os.path.join(where, 'pwned')))
        dst = self.path("x y'z;touch pwned;$(touch pwned)\n`touch pwned`")
        transfer.copy(transfer.LocalFile(self.src),
                      transfer.RemoteFile(self.sshd.host, dst))
        self.assertEqual(self.data, self.read(dst))
        for where in (home, self.tmp):
            self.assertFalse(os.path.exists(os.path.join(where, 'pwned')))

    def test_wrong_key_fails_without_prompting(self):
        other = self.path('other_key')
        fixtures_ssh._keygen(other)
        host = transfer.SSHHost(self.sshd.hostname, port=self.sshd.port,
                                user=self.sshd.user, key_file=other,
                                known_hosts_file=self.sshd.known_hosts_file)
        exc = self.assertRaises(transfer.CopyFailed,
                                transfer.RemoteFile(host, self.src).size)
        self.assertIn('Permission denied', str(exc))


class TestSSHServerFixture(testtools.TestCase):

    def test_missing_sshd_fails_naming_the_package(self):
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.tests.fixtures_ssh.SSHD', '/nonexistent/sshd'))
        server = fixtures_ssh.SSHServer()
        exc = self.assertRaises(fixtures_ssh.SSHMissing, server.setUp)
        self.assertIn('openssh-server', str(exc))

    def test_stopped_by_pid(self):
        server = fixtures_ssh.SSHServer()
        server.setUp()
        pid = server.pid
        server.cleanUp()
        self.assertFalse(os.path.exists('/proc/%d' % pid) and
                         'zombie' not in open('/proc/%d/status' % pid).read())

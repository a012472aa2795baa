"""Two compute hosts whose PMEM namespaces are files, the destination
reached over a real SSH hop (Debian's sshd on a loopback port with
throw-away keys, ``migrator.tests.fixtures_ssh.SSHServer``): the copy
goes through ssh, the destination's bytes equal the source's after
confirm, and a connection cut mid-copy leaves the destination clean."""
import fixtures

from migrator.objects import compute_node as compute_node_obj
from migrator.tests.fixtures_ssh import SSHServer
from migrator.tests.functional.api import cold_migration_base as base
from migrator.tests.functional.api import test_cold_migration_failures
from migrator.transfer import ssh as transfer_ssh


class SSHHopMixin:

    def setUp(self):
        super().setUp()
        self.sshd = self.useFixture(SSHServer())
        self.plane.conf.config(
            group='transfer', ssh_port=self.sshd.port,
            ssh_user=self.sshd.user, ssh_key_file=self.sshd.key_file,
            ssh_known_hosts_file=self.sshd.known_hosts_file)
        # compute2 is another machine: the address compute1 copies to.
        node = compute_node_obj.ComputeNode.get_by_host_and_nodename(
            self.plane.admin, 'compute2', 'compute2')
        node.host_ip = self.sshd.hostname
        node.save()
        self.ssh_runs = []
        real = transfer_ssh.SSHHost.ssh_argv

        def recorded(host, *args, **kwargs):
            argv = real(host, *args, **kwargs)
            self.ssh_runs.append(argv)
            return argv
        self.useFixture(fixtures.MockPatchObject(
            transfer_ssh.SSHHost, 'ssh_argv', recorded))


class TestCopyOverSSH(SSHHopMixin, base.ColdMigrationTestBase):

    def test_resize_over_ssh_then_confirm(self):
        inst = self.boot()
        data = self.write_data(inst.uuid)
        old = self.namespaces(inst.uuid)[0]
        status, _ = self.action(
            inst.uuid, {'resize': {'flavorRef': self.large.flavorid,
                                   'copy_pmem_devices': True}}, '2.105')
        self.assertEqual(202, status)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.assertTrue(self.ssh_runs, 'the copy did not use ssh')
        argv = self.ssh_runs[0]
        self.assertIn('BatchMode=yes', argv)
        self.assertIn('StrictHostKeyChecking=yes', argv)
        self.assertIn(str(self.sshd.port), argv)
        self.assertEqual(204, self.action(inst.uuid,
                                          {'confirmResize': None})[0])
        self.wait_migration(inst.uuid, ['confirmed'])
        new = self.namespaces(inst.uuid, 'compute2')[0]
        self.assertEqual(data, self.read(new.devpath)[:len(data)])
        self.assert_zeroed(old.devpath)
        self.assert_free('compute1')


class TestSSHCutMidCopy(SSHHopMixin,
                        test_cold_migration_failures.FailureTestBase):

    def test_connection_refused(self):
        # The destination's sshd is gone: the copy fails, nothing lost.
        self.plane.conf.config(group='transfer', ssh_port=1)
        inst, data = self.start()
        self.assert_back_on_source(inst, data, 'compute_resize_instance',
                                   'ssh')

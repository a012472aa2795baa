"""Volume migration to a backend of another volume service (another
host), over real HTTP with two volume services in the process: the
destination creates the target, the source copies into it (progress
asked of the source; over a real SSH hop when the destination is
another machine), the volume switches host; a failure or a destination
that is down leaves the volume where it was."""
import os

import fixtures

from migrator.api import server as api_server
from migrator.objects import volume as volume_obj
from migrator.tests.fixtures_ssh import SSHServer
from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import fixtures as volume_fixtures
from migrator.tests.functional.volume import test_volume_migration as base
from migrator.tests import rest_client
from migrator.transfer import ssh as transfer_ssh

REMOTE = 'volume2@far'


class CrossHostBase(base.VolumeMigrationTestBase):

    def setUp(self):
        super().setUp()
        self.remote = self.useFixture(volume_fixtures.add_remote_service(
            self.env.conf, self.env.state))
        self.remote_dir = os.path.join(self.env.state, 'volumes-volume2',
                                       'far')

    def path(self, volume_id):
        volume = volume_obj.Volume.get_by_uuid(self.env.plane.admin,
                                               volume_id)
        manager = (self.remote.manager if volume.service_host == 'volume2'
                   else self.manager)
        backend, pool = manager.backend_and_pool(volume.host)
        return backend.path(volume.name, pool)

    def targets_left(self):
        return [v.uuid for v in volume_obj.VolumeList.get_by_filters(
            self.env.plane.admin, {})
            if (v.migration_status or '').startswith('target:')]


class TestMigrationToAnotherHost(CrossHostBase):

    def test_detached_volume_moves_to_the_other_host(self):
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        status, body = self.migrate(volume_id, REMOTE)
        self.assertEqual(202, status, body)
        seen = []
        while True:
            volume = self.show(volume_id)
            if volume['migration_status'] in ('success', 'error'):
                break
            if 'migration_progress' in volume:
                seen.append(int(volume['migration_progress']))
            control_plane.time.sleep(0.15)
        self.assertEqual('success', volume['migration_status'])
        self.assertGreaterEqual(len(set(seen)), 3, seen)
        self.assertEqual(sorted(seen), seen, 'progress went backwards')
        self.assertNotIn('migration_progress', volume)
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume2@far#far', volume['os-vol-host-attr:host'])
        self.assertIsNotNone(volume['os-vol-mig-status-attr:name_id'])
        path = self.path(volume_id)
        self.assertTrue(path.startswith(self.remote_dir), path)
        self.assertEqual(before, base.sha256(path))
        # The source data and the target record are gone.
        self.assertEqual([], os.listdir(os.path.join(
            self.env.state, 'volumes', 'file1', 'file1')))
        self.assertEqual([], self.targets_left())
        status, listed = self.http.request('GET', '/volumes?all_tenants=1')
        self.assertEqual([volume_id], [v['id'] for v in listed['volumes']])
        # The new host serves it now: it moves back, and is deleted by it.
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        volume = self.wait_migration(volume_id)
        self.assertEqual('success', volume['migration_status'])
        self.assertEqual('volume1@file2#file2',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(before, base.sha256(self.path(volume_id)))
        self.assertEqual([], os.listdir(self.remote_dir))
        status, _ = self.http.request('DELETE', '/volumes/%s' % volume_id)
        self.assertEqual(202, status)

    def test_failure_half_way_deletes_the_partial_copy(self):
        volume_id = self.create_volume()
        source = self.path(volume_id)
        before = base.sha256(source)
        status, _ = self.migrate(volume_id, REMOTE)
        self.assertEqual(202, status)
        lift = self.limit_file_size_once_migrating(volume_id)
        volume = self.wait_migration(volume_id)
        lift()
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(source, self.path(volume_id))
        self.assertEqual(before, base.sha256(source))
        # The destination deletes the partial copy and its record.
        control_plane.wait_for(
            lambda: not os.listdir(self.remote_dir) and
            not self.targets_left(),
            what='the destination to delete the partial copy')

    def test_destination_down_is_an_error_not_a_hang(self):
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        self.env.conf.config(migration_target_timeout=1, group='volume')
        # Stopped, but its os-services row still looks up.
        self.remote.service.stop(5)
        status, _ = self.migrate(volume_id, REMOTE)
        self.assertEqual(202, status)
        volume = self.wait_migration(volume_id, timeout=30)
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertNotIn('migration_progress', volume)
        self.assertEqual(before, base.sha256(self.path(volume_id)))
        self.assertEqual([], self.targets_left())

    def test_unknown_backend_of_the_other_host_is_an_error(self):
        volume_id = self.create_volume(fill=False)
        status, body = self.migrate(volume_id, 'volume2@nowhere')
        self.assertEqual(400, status, body)
        # A pool the destination does not have: it refuses, the volume
        # stays.
        status, _ = self.migrate(volume_id, REMOTE + '#nopool')
        self.assertEqual(202, status)
        volume = self.wait_migration(volume_id)
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertEqual([], self.targets_left())


class TestAttachedToAnotherHost(CrossHostBase):

    def test_attached_volume_is_swapped_onto_the_other_host(self):
        server = api_server.WSGIServer(self.env.compute_app(), '127.0.0.1',
                                       0, threads=8)
        server.start()
        self.addCleanup(server.stop)
        compute = rest_client.RESTClient('compute', server.url + '/v2.1',
                                         version='2.89')
        instance = self.env.plane.boot(host='compute1')
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        status, body = compute.request(
            'POST', '/servers/%s/os-volume_attachments' % instance.uuid,
            {'volumeAttachment': {'volumeId': volume_id}})
        self.assertEqual(200, status, body)
        self.wait_status(volume_id, 'in-use')
        status, _ = self.migrate(volume_id, REMOTE)
        self.assertEqual(202, status)
        volume = self.wait_migration(volume_id)
        self.assertEqual('success', volume['migration_status'])
        self.assertEqual('in-use', volume['status'])
        self.assertEqual('volume2@far#far', volume['os-vol-host-attr:host'])
        path = self.path(volume_id)
        self.assertTrue(path.startswith(self.remote_dir), path)
        self.assertEqual(before, base.sha256(path))
        driver = self.env.plane.computes['compute1'].driver
        disks = driver.volumes.disks(instance.as_guest())
        self.assertEqual(path, disks['/dev/vdb']['data']['path'])
        self.assertEqual([], os.listdir(os.path.join(
            self.env.state, 'volumes', 'file1', 'file1')))


class TestMigrationOverSSH(CrossHostBase):
    """volume2 is another machine (its address is a real sshd on a
    loopback port): the source writes the target over SSH."""
    RATE_MIB = 512

    def setUp(self):
        super().setUp()
        self.sshd = self.useFixture(SSHServer())
        self.env.conf.config(
            group='transfer', ssh_port=self.sshd.port,
            ssh_user=self.sshd.user, ssh_key_file=self.sshd.key_file,
            ssh_known_hosts_file=self.sshd.known_hosts_file)
        self.remote.manager.my_ip = self.sshd.hostname
        self.ssh_runs = []
        real = transfer_ssh.SSHHost.ssh_argv

        def recorded(host, *args, **kwargs):
            argv = real(host, *args, **kwargs)
            self.ssh_runs.append(argv)
            return argv
        self.useFixture(fixtures.MockPatchObject(
            transfer_ssh.SSHHost, 'ssh_argv', recorded))

    def test_copy_goes_over_ssh(self):
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        status, _ = self.migrate(volume_id, REMOTE)
        self.assertEqual(202, status)
        volume = self.wait_migration(volume_id)
        self.assertEqual('success', volume['migration_status'])
        self.assertEqual('volume2@far#far', volume['os-vol-host-attr:host'])
        self.assertTrue(self.ssh_runs, 'the copy did not use ssh')
        self.assertIn(str(self.sshd.port), self.ssh_runs[0])
        self.assertEqual(before, base.sha256(self.path(volume_id)))
        self.assertEqual([], self.targets_left())

    def test_unreachable_destination_machine_leaves_the_volume(self):
        self.env.conf.config(group='transfer', ssh_port=1)
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        self.migrate(volume_id, REMOTE)
        volume = self.wait_migration(volume_id)
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(before, base.sha256(self.path(volume_id)))
        control_plane.wait_for(
            lambda: not os.listdir(self.remote_dir) and
            not self.targets_left(),
            what='the destination to delete the target')

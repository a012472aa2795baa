"""Attach, detach and swap through the compute API, and the migration of
an attached volume, whose progress comes from the compute that swaps it
while the server stays ACTIVE; over real HTTP."""
import os

from migrator.api import server as api_server
from migrator.objects import instance_action
from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import test_volume_migration as base
from migrator.tests import rest_client


class AttachmentsTestBase(base.VolumeMigrationTestBase):
    """The block storage API and the compute API over HTTP, and a server
    on compute1."""

    def setUp(self):
        super().setUp()
        server = api_server.WSGIServer(self.env.compute_app(), '127.0.0.1',
                                       0, threads=8)
        server.start()
        self.addCleanup(server.stop)
        self.compute = rest_client.RESTClient(
            'compute', server.url + '/v2.1')
        self.server = self.env.plane.boot(host='compute1')

    def attach(self, volume_id, version='2.89', **extra):
        body = {'volumeAttachment': dict(volumeId=volume_id, **extra)}
        return self.compute.request(
            'POST', '/servers/%s/os-volume_attachments' % self.server.uuid,
            body, version=version)

    def attachments(self, version='2.89'):
        status, body = self.compute.request(
            'GET', '/servers/%s/os-volume_attachments' % self.server.uuid,
            version=version)
        self.assertEqual(200, status, body)
        return body['volumeAttachments']

    def server_status(self):
        status, body = self.compute.request(
            'GET', '/servers/%s' % self.server.uuid)
        return body['server']['status']


class TestAttachments(AttachmentsTestBase):

    def test_attach_show_detach(self):
        volume_id = self.create_volume(fill=False)
        status, body = self.attach(volume_id, delete_on_termination=True)
        self.assertEqual(200, status, body)
        self.assertEqual('/dev/vdb', body['volumeAttachment']['device'])
        self.assertNotIn('id', body['volumeAttachment'])
        self.assertTrue(body['volumeAttachment']['delete_on_termination'])
        volume = self.wait_status(volume_id, 'in-use')
        self.assertEqual(self.server.uuid,
                         volume['attachments'][0]['server_id'])
        self.assertEqual('compute1', volume['attachments'][0]['host_name'])
        listed = self.attachments()
        self.assertEqual([volume_id], [a['volumeId'] for a in listed])
        self.assertEqual(body['volumeAttachment']['attachment_id'],
                         listed[0]['attachment_id'])
        old = self.attachments('2.78')[0]
        self.assertEqual(volume_id, old['id'])
        self.assertNotIn('delete_on_termination', old)
        # In use: it cannot be deleted or attached again.
        self.assertEqual(400, self.http.request('DELETE', '/volumes/%s'
                                                % volume_id)[0])
        self.assertEqual(400, self.attach(volume_id)[0])
        # 2.85: update delete_on_termination without a swap.
        status, _ = self.compute.request(
            'PUT', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id),
            {'volumeAttachment': {'volumeId': volume_id,
                                  'delete_on_termination': False}},
            version='2.85')
        self.assertEqual(202, status)
        self.assertFalse(self.attachments()[0]['delete_on_termination'])
        status, _ = self.compute.request(
            'PUT', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id),
            {'volumeAttachment': {'volumeId': volume_id}}, version='2.84')
        self.assertEqual(400, status)
        status, _ = self.compute.request(
            'DELETE', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id))
        self.assertEqual(202, status)
        volume = self.wait_status(volume_id, 'available')
        self.assertEqual([], volume['attachments'])
        self.assertEqual([], self.attachments())
        actions = [a.action for a in
                   instance_action.InstanceActionList.get_by_instance_uuid(
                       self.env.plane.admin, self.server.uuid)]
        self.assertIn('attach_volume', actions)
        self.assertIn('detach_volume', actions)

    def test_attach_at_2_101_answers_202_without_a_body(self):
        # Nova 2.101: POST os-volume_attachments is a 202 and no body;
        # the attachment is read back from the list.
        volume_id = self.create_volume(fill=False)
        status, body = self.attach(volume_id, version='2.101')
        self.assertEqual(202, status, body)
        self.assertIsNone(body)
        self.wait_status(volume_id, 'in-use')
        self.assertEqual([volume_id], [a['volumeId'] for a in
                                       self.attachments('2.101')])

    def test_tag_is_taken_from_2_49_and_shown_from_2_70(self):
        volume_id = self.create_volume(fill=False)
        self.assertEqual(400, self.attach(volume_id, version='2.48',
                                          tag='disk1')[0])
        status, body = self.attach(volume_id, version='2.70', tag='disk1')
        self.assertEqual(200, status, body)
        self.assertEqual('disk1', body['volumeAttachment']['tag'])
        self.assertEqual('disk1', self.attachments('2.70')[0]['tag'])
        self.assertNotIn('tag', self.attachments('2.69')[0])

    def test_errors_and_policies(self):
        volume_id = self.create_volume(fill=False)
        unknown = '4d8b2a49-3a8e-4f0a-a2f3-d3c3a3d0b0b1'
        self.assertEqual(404, self.attach(unknown)[0])
        self.assertEqual(400, self.attach('not-a-uuid')[0])
        self.assertEqual(400, self.attach(
            volume_id, version='2.78', delete_on_termination=True)[0])
        self.assertEqual(404, self.compute.request(
            'GET', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id))[0])
        self.assertEqual(404, self.compute.request(
            'DELETE', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id))[0])
        self.assertEqual(200, self.attach(volume_id)[0])
        self.wait_status(volume_id, 'in-use')
        other = self.create_volume(fill=False)
        # Swap is for admins (and the service role), not project members.
        status, body = self.compute.request(
            'PUT', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id),
            {'volumeAttachment': {'volumeId': other}}, token='demo:admin')
        self.assertEqual(403, status, body)
        # A member of another project does not find the server (Nova's
        # project-scoped lookup).
        self.assertEqual(404, self.compute.request(
            'GET', '/servers/%s/os-volume_attachments' % self.server.uuid,
            token='demo:demo')[0])

    def test_swap_copies_while_the_server_runs(self):
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        other = self.create_volume(fill=False)
        self.attach(volume_id)
        self.wait_status(volume_id, 'in-use')
        status, _ = self.compute.request(
            'PUT', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id),
            {'volumeAttachment': {'volumeId': other}})
        self.assertEqual(202, status)
        self.wait_status(other, 'in-use', timeout=120)
        self.wait_status(volume_id, 'available')
        self.assertEqual('ACTIVE', self.server_status())
        self.assertEqual([other], [a['volumeId']
                                   for a in self.attachments()])
        self.assertEqual(before, base.sha256(self.path(other)))
        action = [a for a in
                  instance_action.InstanceActionList.get_by_instance_uuid(
                      self.env.plane.admin, self.server.uuid)
                  if a.action == 'swap_volume'][0]
        events = instance_action.InstanceActionEventList.get_by_action(
            self.env.plane.admin, action.id)
        self.assertEqual([('compute_swap_volume', 'Success')],
                         [(e.event, e.result) for e in events])

    def test_attached_migration_progress_comes_from_the_compute(self):
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        self.attach(volume_id)
        self.wait_status(volume_id, 'in-use')
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        seen = []
        while True:
            volume = self.show(volume_id)
            if volume['migration_status'] in ('success', 'error'):
                break
            if 'migration_progress' in volume:
                seen.append(int(volume['migration_progress']))
                self.assertNotIn('migration_progress',
                                 self.show(volume_id, '3.71'))
                self.assertEqual('ACTIVE', self.server_status())
            control_plane.time.sleep(0.15)
        self.assertEqual('success', volume['migration_status'])
        self.assertGreaterEqual(len(set(seen)), 3, seen)
        self.assertEqual(sorted(seen), seen)
        self.assertNotIn('migration_progress', volume)
        self.assertEqual('in-use', volume['status'])
        self.assertEqual('volume1@file2#file2',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(self.server.uuid,
                         volume['attachments'][0]['server_id'])
        self.assertEqual('ACTIVE', self.server_status())
        self.assertEqual(before, base.sha256(self.path(volume_id)))
        # The guest now uses the new file.
        driver = self.env.plane.computes['compute1'].driver
        disks = driver.volumes.disks(self.server.as_guest())
        self.assertEqual(self.path(volume_id),
                         disks['/dev/vdb']['data']['path'])

    def test_deleting_the_server_releases_its_volumes(self):
        kept = self.create_volume(fill=False)
        dropped = self.create_volume(fill=False)
        self.attach(kept)
        self.attach(dropped, delete_on_termination=True)
        self.wait_status(kept, 'in-use')
        self.wait_status(dropped, 'in-use')
        status, _ = self.compute.request('DELETE', '/servers/%s'
                                         % self.server.uuid)
        self.assertEqual(204, status)
        volume = self.wait_status(kept, 'available')
        self.assertEqual([], volume['attachments'])
        control_plane.wait_for(
            lambda: self.http.request('GET', '/volumes/%s' % dropped)[0]
            == 404, what='the delete_on_termination volume to go')

    def test_a_restarted_compute_ends_a_swap_cut_short(self):
        # What a compute killed mid-swap leaves: the attached volume
        # migrating by swap, its target volume with half its data.
        from migrator.objects import volume as volume_obj
        volume_id = self.create_volume()
        before = base.sha256(self.path(volume_id))
        self.attach(volume_id)
        self.wait_status(volume_id, 'in-use')
        admin = self.env.plane.admin
        volume = volume_obj.Volume.get_by_uuid(admin, volume_id)
        volume.migration_status = 'migrating'
        volume.migration_method = volume_obj.ATTACHED_SWAP
        volume.save()
        target = volume_obj.Volume(
            admin, size=1, host='volume1@file2#file2', status='attaching',
            migration_status='target:' + volume_id, project_id='admin')
        target.create()
        backend, pool = self.manager.backend_and_pool(target.host)
        with open(backend.path(target.name, pool), 'wb') as handle:
            handle.write(b'half' * 1024)
        # The compute starts again (its start-up work, on the same host).
        self.env.plane.computes['compute1'].init_host()
        volume = control_plane.wait_for(
            lambda: (lambda v: v if v['migration_status'] == 'error'
                     else None)(self.show(volume_id)),
            what='the cut-short swap to end')
        self.assertEqual('in-use', volume['status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(self.server.uuid,
                         volume['attachments'][0]['server_id'])
        self.assertEqual(before, base.sha256(self.path(volume_id)))
        self.assertFalse(os.path.exists(backend.path(target.name, pool)))
        self.assertEqual('ACTIVE', self.server_status())

    def test_compute_os_services_leaves_volume_services_out(self):
        status, body = self.compute.request('GET', '/os-services')
        self.assertEqual(200, status)
        binaries = {s['binary'] for s in body['services']}
        self.assertEqual({'migrator-compute', 'migrator-conductor'},
                         binaries)

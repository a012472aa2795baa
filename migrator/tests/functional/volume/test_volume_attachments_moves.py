"""A server's volume attachments follow it when it is live-migrated,
cold-migrated (confirmed or reverted): the volume's attachments name the
host that runs the server, that host's hypervisor has the disk, and
detach and swap afterwards are done there; over real HTTP."""
from migrator.objects import instance_action
from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import test_volume_attachments as base


class TestAttachmentsFollowTheServer(base.AttachmentsTestBase):

    def setUp(self):
        super().setUp()
        self.volume_id = self.create_volume(fill=False)
        status, body = self.attach(self.volume_id)
        self.assertEqual(200, status, body)
        self.wait_status(self.volume_id, 'in-use')
        self.assertEqual('compute1', self.host_name(self.volume_id))

    def action(self, body, version='2.89'):
        status, result = self.compute.request(
            'POST', '/servers/%s/action' % self.server.uuid, body,
            version=version)
        self.assertIn(status, (202, 204), result)

    def server_view(self):
        return self.compute.request(
            'GET', '/servers/%s' % self.server.uuid)[1]['server']

    def wait_server(self, status, host):
        return control_plane.wait_for(
            lambda: (lambda s: s if s['status'] == status and
                     s['OS-EXT-SRV-ATTR:host'] == host else None)(
                self.server_view()),
            timeout=60, what='server %s on %s' % (status, host))

    def host_name(self, volume_id):
        attachments = self.show(volume_id)['attachments']
        self.assertEqual(1, len(attachments), attachments)
        self.assertEqual(self.server.uuid, attachments[0]['server_id'])
        return attachments[0]['host_name']

    def disks(self, host):
        driver = self.env.plane.computes[host].driver
        return driver.volumes.disks(self.server.as_guest())

    def assert_served_by(self, host, volume_id, exclusive=True):
        """``host`` serves the attachment; with ``exclusive``, the other
        host has no disk of the server (in VERIFY_RESIZE the source keeps
        its stopped guest for a revert)."""
        other = 'compute2' if host == 'compute1' else 'compute1'
        self.assertEqual(host, self.host_name(volume_id))
        self.assertEqual([volume_id],
                         [a['volumeId'] for a in self.attachments()])
        self.assertEqual(self.path(volume_id),
                         self.disks(host)['/dev/vdb']['data']['path'])
        if exclusive:
            # The host it left forgets the guest once the move ends there.
            control_plane.wait_for(lambda: self.disks(other) == {},
                                   what='%s to forget the disk' % other)

    def detach(self, volume_id):
        status, body = self.compute.request(
            'DELETE', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, volume_id))
        self.assertEqual(202, status, body)
        volume = self.wait_status(volume_id, 'available')
        self.assertEqual([], volume['attachments'])
        self.assertEqual({}, self.disks('compute1'))
        self.assertEqual({}, self.disks('compute2'))

    def test_live_migration_moves_the_attachment(self):
        self.action({'os-migrateLive': {'host': 'compute2',
                                        'block_migration': 'auto'}})
        self.wait_server('ACTIVE', 'compute2')
        self.assert_served_by('compute2', self.volume_id)
        # A swap afterwards is done by compute2.
        other = self.create_volume(fill=False)
        status, _ = self.compute.request(
            'PUT', '/servers/%s/os-volume_attachments/%s'
            % (self.server.uuid, self.volume_id),
            {'volumeAttachment': {'volumeId': other}})
        self.assertEqual(202, status)
        self.wait_status(other, 'in-use', timeout=120)
        self.wait_status(self.volume_id, 'available')
        self.assert_served_by('compute2', other)
        action = [a for a in
                  instance_action.InstanceActionList.get_by_instance_uuid(
                      self.env.plane.admin, self.server.uuid)
                  if a.action == 'swap_volume'][0]
        events = instance_action.InstanceActionEventList.get_by_action(
            self.env.plane.admin, action.id)
        self.assertEqual([('compute_swap_volume', 'Success', 'compute2')],
                         [(e.event, e.result, e.host) for e in events])
        self.detach(other)

    def test_cold_migration_confirmed_moves_the_attachment(self):
        self.action({'migrate': {'host': 'compute2'}}, version='2.56')
        self.wait_server('VERIFY_RESIZE', 'compute2')
        self.assert_served_by('compute2', self.volume_id, exclusive=False)
        self.action({'confirmResize': None})
        self.wait_server('ACTIVE', 'compute2')
        self.assert_served_by('compute2', self.volume_id)
        self.detach(self.volume_id)

    def test_revert_gives_the_attachment_back(self):
        self.action({'migrate': {'host': 'compute2'}}, version='2.56')
        self.wait_server('VERIFY_RESIZE', 'compute2')
        self.assert_served_by('compute2', self.volume_id, exclusive=False)
        self.action({'revertResize': None})
        self.wait_server('ACTIVE', 'compute1')
        self.assert_served_by('compute1', self.volume_id)
        self.detach(self.volume_id)

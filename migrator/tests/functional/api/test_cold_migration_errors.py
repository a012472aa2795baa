"""The error answers of migrate, resize, confirmResize and revertResize:
Nova's codes and bodies, and migrator's 2.105 rules for
``copy_pmem_devices`` (400 below 2.105 and across cells, 409 when a
compute service is too old to copy)."""
from oslo_utils import uuidutils

from migrator.objects import cell_mapping as cell_obj
from migrator.objects import host_mapping as host_mapping_obj
from migrator.objects import instance as instance_obj
from migrator.objects import service as service_obj
from migrator.tests.functional.api import cold_migration_base as base


class TestErrors(base.ColdMigrationTestBase):

    def setUp(self):
        super().setUp()
        self.inst = self.boot()

    def assert_error(self, expected, result, key, text=None):
        status, body = result
        self.assertEqual(expected, status, body)
        self.assertEqual(expected, body[key]['code'])
        if text:
            self.assertIn(text, body[key]['message'])
        # Nothing was started: no task, no migration.
        inst = self.instance(self.inst.uuid)
        return inst

    def resize(self, flavor_ref, version='2.1', **extra):
        body = {'resize': dict({'flavorRef': flavor_ref}, **extra)}
        return self.action(self.inst.uuid, body, version)

    def test_copy_pmem_devices_below_2_105_is_400(self):
        for version in ('2.104', '2.56', '2.1'):
            self.assert_error(400, self.resize(
                self.large.flavorid, version, copy_pmem_devices=True),
                'badRequest', 'copy_pmem_devices')
        self.assert_error(400, self.action(
            self.inst.uuid, {'migrate': {'copy_pmem_devices': 'true'}},
            '2.104'), 'badRequest', 'copy_pmem_devices')
        self.assertIsNone(self.migration(self.inst.uuid))
        self.assertEqual('ACTIVE', self.server_status(self.inst.uuid))

    def test_copy_pmem_devices_must_be_a_boolean(self):
        self.assert_error(400, self.resize(
            self.large.flavorid, '2.105', copy_pmem_devices='maybe'),
            'badRequest')
        for value in (False, 'false', 'False', '0'):
            status, _ = self.resize(self.large.flavorid, '2.105',
                                    copy_pmem_devices=value)
            self.assertEqual(202, status)
            self.wait_status(self.inst.uuid, 'VERIFY_RESIZE')
            self.assertFalse(self.migration(self.inst.uuid).disk_total)
            self.action(self.inst.uuid, {'revertResize': None})
            self.wait_status(self.inst.uuid, 'ACTIVE')

    def test_host_errors_from_2_56(self):
        self.assert_error(400, self.action(
            self.inst.uuid, {'migrate': {'host': 'nowhere'}}, '2.56'),
            'badRequest', 'nowhere')
        self.assert_error(400, self.action(
            self.inst.uuid, {'migrate': {'host': 'compute1'}}, '2.56'),
            'badRequest', 'current host')
        self.assert_error(400, self.action(
            self.inst.uuid, {'migrate': {'hots': 'compute2'}}, '2.56'),
            'badRequest')
        self.assert_error(403, self.action(
            self.inst.uuid, {'migrate': {'host': 'compute2'}}, '2.56',
            token='demo:admin'), 'forbidden')
        self.assertEqual('error', self.migration(self.inst.uuid).status)
        self.assertEqual('ACTIVE', self.server_status(self.inst.uuid))

    def test_flavor_errors(self):
        self.assert_error(400, self.resize('no-such-flavor'), 'badRequest',
                          'Unable to locate requested flavor.')
        self.assert_error(400, self.resize(self.small.flavorid),
                          'badRequest', 'must change flavor')
        tiny = self._flavor('tiny.disk', 256, 1, 0, {})
        self.assert_error(400, self.resize(tiny.flavorid), 'badRequest',
                          'resize disk down')
        self.assert_error(400, self.action(
            self.inst.uuid, {'resize': {}}), 'badRequest')
        bad_config = {'flavorRef': self.large.flavorid,
                      'OS-DCF:diskConfig': 'SOMETIMES'}
        self.assert_error(400, self.action(
            self.inst.uuid, {'resize': bad_config}), 'badRequest')
        self.assertIsNone(self.migration(self.inst.uuid))

    def test_no_host_has_the_namespaces_is_400(self):
        huge = self._flavor('pmem.huge', 512, 1, 2, {'hw:pmem': '64G'})
        self.assert_error(400, self.resize(huge.flavorid), 'badRequest',
                          'No valid host')
        self.assertEqual('error', self.migration(self.inst.uuid).status)
        inst = self.instance(self.inst.uuid)
        self.assertEqual(('active', None), (inst.vm_state, inst.task_state))
        self.assert_free('compute2')

    def test_state_conflicts_are_409(self):
        self.assert_error(409, self.action(self.inst.uuid,
                                           {'confirmResize': None}),
                          'conflictingRequest', 'vm_state active')
        self.assert_error(409, self.action(self.inst.uuid,
                                           {'revertResize': None}),
                          'conflictingRequest', 'vm_state active')
        self.assertEqual(202, self.resize(self.large.flavorid)[0])
        self.wait_status(self.inst.uuid, 'VERIFY_RESIZE')
        self.assert_error(409, self.resize(self.small.flavorid),
                          'conflictingRequest', 'vm_state resized')
        self.assert_error(409, self.action(self.inst.uuid,
                                           {'migrate': None}),
                          'conflictingRequest')
        self.assertEqual(204, self.action(self.inst.uuid,
                                          {'confirmResize': None})[0])
        self.wait_status(self.inst.uuid, 'ACTIVE')

    def test_resized_without_a_finished_migration_is_400(self):
        inst = self.instance(self.inst.uuid)
        inst.vm_state = instance_obj.RESIZED
        inst.save()
        for action in ('confirmResize', 'revertResize'):
            self.assert_error(400, self.action(self.inst.uuid,
                                               {action: None}),
                              'badRequest', 'Instance has not been resized.')

    def test_locked_is_409_for_its_owner(self):
        demo = self.plane.boot(self.small.name, host='compute1',
                               ctxt=self.plane.new_context('demo', 'demo'))
        demo.locked = True
        demo.save()
        status, body = self.action(
            demo.uuid, {'resize': {'flavorRef': self.large.flavorid}},
            token='demo:demo')
        self.assertEqual(409, status, body)
        self.assertIn('locked', body['conflictingRequest']['message'])

    def test_unknown_server_is_404(self):
        status, body = self.action(uuidutils.generate_uuid(),
                                   {'migrate': None})
        self.assertEqual(404, status)

    def test_cross_cell_is_400(self):
        other = cell_obj.CellMapping(
            self.plane.admin, uuid=uuidutils.generate_uuid(), name='cell2',
            transport_url='fake:/', database_connection='sqlite://')
        other.create()
        host_mapping_obj.HostMapping(self.plane.admin, host='compute9',
                                     cell_mapping=other).create()
        self.assert_error(400, self.action(
            self.inst.uuid, {'migrate': {'host': 'compute9',
                                         'copy_pmem_devices': True}},
            '2.105'), 'badRequest', 'across cells')
        self.assertIsNone(self.migration(self.inst.uuid))

    def _service_version(self, host, version):
        svc = service_obj.Service.get_by_compute_host(self.plane.admin,
                                                      host)
        svc.version = version
        svc.save()

    def test_compute_too_old_to_copy_is_409(self):
        self._service_version('compute2', 1)
        self.assert_error(409, self.action(
            self.inst.uuid, {'migrate': {'host': 'compute2',
                                         'copy_pmem_devices': True}},
            '2.105'), 'conflictingRequest', 'too old to copy PMEM')
        self._service_version('compute2', service_obj.SERVICE_VERSION)
        self._service_version('compute1', 1)
        self.assert_error(409, self.resize(
            self.large.flavorid, '2.105', copy_pmem_devices=True),
            'conflictingRequest', 'compute1')
        self.assertIsNone(self.migration(self.inst.uuid))
        # Without a copy the old service is no obstacle.
        self.assertEqual(202, self.resize(self.large.flavorid, '2.105',
                                          copy_pmem_devices=False)[0])

"""Every versioned object against a synced SQLite database."""
import datetime
import uuid as uuid_lib
import warnings

from oslo_utils import timeutils
from oslo_utils import uuidutils
import testtools

from migrator import context as migrator_context
from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import cell_mapping
from migrator.objects import compute_node
from migrator.objects import fields as migrator_fields
from migrator.objects import flavor
from migrator.objects import host_mapping
from migrator.objects import instance
from migrator.objects import instance_action
from migrator.objects import instance_fault
from migrator.objects import instance_mapping
from migrator.objects import migration
from migrator.objects import service
from migrator.tests import base


def _cell(ctxt, name='cell1', url=None, **kw):
    cell = cell_mapping.CellMapping(
        ctxt, uuid=uuidutils.generate_uuid(), name=name,
        transport_url='rabbit://guest:guest@127.0.0.1:5672/%s' % name,
        database_connection=url or 'sqlite:///%s.db' % name, **kw)
    cell.create()
    return cell


def _flavor(ctxt, name='m1.small', flavorid='2', **kw):
    values = dict(name=name, flavorid=flavorid, memory_mb=2048, vcpus=1,
                  root_gb=20)
    values.update(kw)
    obj = flavor.Flavor(ctxt, **values)
    obj.create()
    return obj


def _instance(ctxt, **kw):
    values = dict(uuid=uuidutils.generate_uuid(), display_name='vm',
                  project_id='p1', user_id='u1', host='compute1',
                  node='compute1', vm_state=instance.ACTIVE,
                  task_state=None, memory_mb=512, vcpus=1, root_gb=1,
                  ephemeral_gb=0)
    values.update(kw)
    obj = instance.Instance(ctxt, **values)
    obj.create()
    return obj


def _migration(ctxt, **kw):
    values = dict(instance_uuid=uuidutils.generate_uuid(),
                  source_compute='compute1', dest_compute='compute2',
                  source_node='compute1', dest_node='compute2',
                  status='accepted', migration_type='live-migration')
    values.update(kw)
    obj = migration.Migration(ctxt, **values)
    obj.create()
    return obj


class TestCellMapping(base.DBTestCase):
    def test_create_get_save_list_destroy(self):
        cell = _cell(self.context)
        self.assertIsNotNone(cell.id)
        got = cell_mapping.CellMapping.get_by_uuid(self.context, cell.uuid)
        self.assertEqual('cell1', got.name)
        self.assertFalse(got.disabled)
        self.assertFalse(got.is_cell0)
        got.disabled = True
        got.save()
        self.assertTrue(cell_mapping.CellMapping.get_by_uuid(
            self.context, cell.uuid).disabled)
        _cell(self.context, 'cell2')
        names = [c.name for c in
                 cell_mapping.CellMappingList.get_all(self.context)]
        self.assertEqual(['cell1', 'cell2'], names)
        got.destroy()
        self.assertRaises(exception.CellMappingNotFound,
                          cell_mapping.CellMapping.get_by_uuid,
                          self.context, cell.uuid)


class TestHostMapping(base.DBTestCase):
    def test_create_get_list_destroy(self):
        cell = _cell(self.context)
        mapping = host_mapping.HostMapping(self.context, host='compute1',
                                           cell_mapping=cell)
        mapping.create()
        got = host_mapping.HostMapping.get_by_host(self.context,
                                                   'compute1')
        self.assertEqual(cell.uuid, got.cell_mapping.uuid)
        dup = host_mapping.HostMapping(self.context, host='compute1',
                                       cell_mapping=cell)
        self.assertRaises(exception.HostMappingExists, dup.create)
        self.assertEqual(['compute1'], [
            m.host for m in host_mapping.HostMappingList.get_all(
                self.context)])
        got.destroy()
        self.assertRaises(exception.HostMappingNotFound,
                          host_mapping.HostMapping.get_by_host,
                          self.context, 'compute1')


class TestInstanceMapping(base.DBTestCase):
    def test_create_get_save_list_destroy(self):
        cell = _cell(self.context)
        uuid = uuidutils.generate_uuid()
        mapping = instance_mapping.InstanceMapping(
            self.context, instance_uuid=uuid, project_id='p1',
            user_id='u1', cell_mapping=None)
        mapping.create()
        got = instance_mapping.InstanceMapping.get_by_instance_uuid(
            self.context, uuid)
        self.assertIsNone(got.cell_mapping)
        self.assertFalse(got.queued_for_delete)
        got.cell_mapping = cell
        got.queued_for_delete = True
        got.save()
        got = instance_mapping.InstanceMapping.get_by_instance_uuid(
            self.context, uuid)
        self.assertEqual(cell.uuid, got.cell_mapping.uuid)
        self.assertTrue(got.queued_for_delete)
        self.assertEqual(1, len(
            instance_mapping.InstanceMappingList.get_by_project_id(
                self.context, 'p1')))
        self.assertEqual(1, len(
            instance_mapping.InstanceMappingList.get_by_instance_uuids(
                self.context, [uuid, uuidutils.generate_uuid()])))
        got.destroy()
        self.assertRaises(
            exception.InstanceMappingNotFound,
            instance_mapping.InstanceMapping.get_by_instance_uuid,
            self.context, uuid)


class TestFlavor(base.DBTestCase):
    def test_create_get_save_list_destroy(self):
        obj = _flavor(self.context, extra_specs={'hw:a': '1'})
        got = flavor.Flavor.get_by_flavor_id(self.context, '2')
        self.assertEqual({'hw:a': '1'}, got.extra_specs)
        self.assertEqual(obj.id, flavor.Flavor.get_by_name(
            self.context, 'm1.small').id)
        self.assertEqual('2', flavor.Flavor.get_by_id(
            self.context, obj.id).flavorid)
        got.description = 'small'
        got.save()
        got.update_extra_specs({'hw:b': '2'}, remove=['hw:a'])
        got = flavor.Flavor.get_by_flavor_id(self.context, '2')
        self.assertEqual('small', got.description)
        self.assertEqual({'hw:b': '2'}, got.extra_specs)
        self.assertRaises(exception.FlavorExists, _flavor, self.context)
        _flavor(self.context, 'm1.private', '3', is_public=False)
        self.assertEqual(['2'], [f.flavorid for f in
                                 flavor.FlavorList.get_all(self.context)])
        self.assertEqual(['2', '3'], [f.flavorid for f in
                                      flavor.FlavorList.get_all(
                                          self.context, is_public=None)])
        got.destroy()
        self.assertRaises(exception.FlavorNotFound,
                          flavor.Flavor.get_by_flavor_id, self.context, '2')

    def test_list_marker(self):
        for i in range(5):
            _flavor(self.context, 'f%d' % i, str(i))
        page = flavor.FlavorList.get_all(self.context, limit=2, marker='1')
        self.assertEqual(['2', '3'], [f.flavorid for f in page])
        self.assertRaises(exception.MarkerNotFound,
                          flavor.FlavorList.get_all, self.context,
                          marker='nope')


class TestInstance(base.DBTestCase):
    def test_create_get_save_list_destroy(self):
        size = _flavor(self.context)
        inst = _instance(self.context, flavor=size,
                         metadata={'k': 'v'})
        got = instance.Instance.get_by_uuid(self.context, inst.uuid)
        self.assertEqual({'k': 'v'}, got.metadata)
        self.assertEqual('m1.small', got.flavor.name)
        self.assertFalse(got.deleted)
        got.display_name = 'renamed'
        got.save()
        self.assertEqual('renamed', instance.Instance.get_by_uuid(
            self.context, inst.uuid).display_name)
        self.assertEqual([inst.uuid], [
            i.uuid for i in instance.InstanceList.get_by_host(
                self.context, 'compute1')])
        got.destroy()
        self.assertRaises(exception.InstanceNotFound,
                          instance.Instance.get_by_uuid, self.context,
                          inst.uuid)
        with self.context.temporary_read_deleted('yes'):
            self.assertTrue(instance.Instance.get_by_uuid(
                self.context, inst.uuid).deleted)

    def test_save_compare_and_swap(self):
        inst = _instance(self.context)
        first = instance.Instance.get_by_uuid(self.context, inst.uuid)
        second = instance.Instance.get_by_uuid(self.context, inst.uuid)
        first.task_state = instance.MIGRATING
        first.save(expected_task_state=[None])
        second.task_state = instance.MIGRATING
        exc = self.assertRaises(exception.UnexpectedTaskStateError,
                                second.save, expected_task_state=[None])
        self.assertIn('migrating', exc.format_message())
        # The winner may move on from the state it set.
        first.task_state = None
        first.save(expected_task_state=instance.MIGRATING)
        self.assertIsNone(instance.Instance.get_by_uuid(
            self.context, inst.uuid).task_state)

    def test_save_expected_vm_state(self):
        inst = _instance(self.context)
        inst.task_state = instance.MIGRATING
        self.assertRaises(exception.UnexpectedTaskStateError, inst.save,
                          expected_vm_state=[instance.STOPPED])

    def test_save_deleted_is_not_found(self):
        inst = _instance(self.context)
        stale = instance.Instance.get_by_uuid(self.context, inst.uuid)
        inst.destroy()
        stale.task_state = instance.MIGRATING
        self.assertRaises(exception.InstanceNotFound, stale.save,
                          expected_task_state=[None])

    def _claim(self, uuid, vm_states=(instance.ACTIVE,)):
        now = timeutils.utcnow()
        with session.writer(self.context) as db:
            instance.Instance.claim_task(db, uuid, instance.MIGRATING,
                                         vm_states, now)
        return now

    def test_claim_task_compare_and_swap(self):
        inst = _instance(self.context)
        now = self._claim(inst.uuid)
        got = instance.Instance.get_by_uuid(self.context, inst.uuid)
        self.assertEqual(instance.MIGRATING, got.task_state)
        self.assertEqual(now.replace(tzinfo=None),
                         got.updated_at.replace(tzinfo=None))
        # The loser gets save()'s error, with the state it met.
        exc = self.assertRaises(exception.UnexpectedTaskStateError,
                                self._claim, inst.uuid)
        self.assertEqual(
            'Conflict updating instance %s. Expected: [None]. Actual: '
            'migrating' % inst.uuid, exc.format_message())

    def test_claim_task_wrong_vm_state_or_deleted(self):
        inst = _instance(self.context, vm_state=instance.STOPPED)
        exc = self.assertRaises(exception.UnexpectedTaskStateError,
                                self._claim, inst.uuid)
        self.assertIn('Actual: None', exc.format_message())
        self.assertIsNone(instance.Instance.get_by_uuid(
            self.context, inst.uuid).task_state)
        inst.destroy()
        self.assertRaises(exception.InstanceNotFound, self._claim,
                          inst.uuid, (instance.STOPPED,))

    def test_core_read_is_the_model_read(self):
        inst = _instance(self.context, metadata={'a': 'b'}, tags=['x'],
                         flavor=_flavor(self.context), locked=True)
        inst.set_attributes(description='d')
        inst.save()
        with session.reader(self.context) as db:
            orm = instance.Instance._from_db_object(
                self.context, instance.Instance(), db.scalars(
                    instance.Instance._select(self.context).where(
                        models.Instance.uuid == inst.uuid)).one())
        core = instance.Instance.get_by_uuid(self.context, inst.uuid)
        self.assertEqual(orm.obj_to_primitive(), core.obj_to_primitive())
        self.assertIs(True, core.locked)
        self.assertIs(False, core.deleted)
        self.assertEqual(set(), core.obj_what_changed())

    def test_keyset_pagination(self):
        base_time = datetime.datetime(2026, 1, 1)
        uuids = []
        for i in range(7):
            # Two pairs share a created_at: the id breaks the tie.
            created = base_time + datetime.timedelta(minutes=i // 2)
            uuids.append(_instance(self.context, created_at=created).uuid)
        newest_first = list(reversed(uuids))
        seen, marker = [], None
        while True:
            page = instance.InstanceList.get_by_filters(
                self.context, limit=3, marker=marker)
            if not page:
                break
            seen.extend(i.uuid for i in page)
            marker = page[-1].uuid
        self.assertEqual(newest_first, seen)
        asc = instance.InstanceList.get_by_filters(
            self.context, sort_dir='asc', limit=2, marker=uuids[1])
        self.assertEqual(uuids[2:4], [i.uuid for i in asc])
        self.assertRaises(exception.MarkerNotFound,
                          instance.InstanceList.get_by_filters,
                          self.context, marker=uuidutils.generate_uuid())
        self.assertRaises(exception.InvalidSortKey,
                          instance.InstanceList.get_by_filters,
                          self.context, sort_key='metadata')

    def test_filters(self):
        _instance(self.context, display_name='web-1', project_id='a')
        _instance(self.context, display_name='db-1', project_id='b')
        self.assertEqual(['web-1'], [
            i.display_name for i in instance.InstanceList.get_by_filters(
                self.context, {'name': 'web'})])
        self.assertEqual(2, len(instance.InstanceList.get_by_filters(
            self.context, {'project_id': ['a', 'b']})))


class TestInstanceUsage(base.DBTestCase):
    """InstanceList.usage_by_hosts: what capacity.hosts_usage sums, summed
    by the database, as the Instance objects it replaced summed it."""

    def test_sums_the_live_instances_of_each_host(self):
        a = _instance(self.context, vcpus=2, memory_mb=1024, root_gb=10,
                      ephemeral_gb=5)
        b = _instance(self.context, vcpus=1, memory_mb=512, root_gb=1,
                      ephemeral_gb=None)
        c = _instance(self.context, host='compute2', vcpus=8)
        _instance(self.context, vcpus=4).destroy()
        _instance(self.context, host='compute3', vcpus=16)
        other = uuidutils.generate_uuid()
        totals, located = instance.InstanceList.usage_by_hosts(
            self.context, ['compute1', 'compute2'], [a.uuid, c.uuid, other])
        self.assertEqual({'compute1': (3, 1536, 16, 2),
                          'compute2': (8, 512, 1, 1)}, totals)
        self.assertEqual({a.uuid: 'compute1', c.uuid: 'compute2'}, located)
        self.assertEqual(
            (sum(i.vcpus for i in instance.InstanceList.get_by_host(
                self.context, 'compute1')), {b.uuid: 'compute1'}),
            (totals['compute1'][0], instance.InstanceList.usage_by_hosts(
                self.context, ['compute1'], [b.uuid])[1]))

    def test_an_empty_host(self):
        self.assertEqual(({'nowhere': (0, 0, 0, 0)}, {}),
                         instance.InstanceList.usage_by_hosts(
                             self.context, ['nowhere'], ['x']))


class TestMigration(base.DBTestCase):
    def test_create_get_save_list(self):
        mig = _migration(self.context)
        self.assertTrue(uuidutils.is_uuid_like(mig.uuid))
        got = migration.Migration.get_by_id(self.context, mig.id)
        self.assertEqual('accepted', got.status)
        self.assertTrue(got.is_live_migration)
        for field in migration.PROGRESS_FIELDS:
            self.assertIsNone(getattr(got, field))
        got.status = 'running'
        got.memory_total = 8 * 1024 ** 3  # beyond 32 bits
        got.memory_processed = 1
        got.progress_detail = {'percent': 12.5}
        self.assertTrue(got.save(expected_status=['accepted']))
        got = migration.Migration.get_by_uuid(self.context, mig.uuid)
        self.assertEqual(8 * 1024 ** 3, got.memory_total)
        self.assertEqual({'percent': 12.5}, got.progress_detail)
        stale = migration.Migration.get_by_id(self.context, mig.id)
        stale.status = 'cancelled'
        got.status = 'completed'
        self.assertTrue(got.save(expected_status=['running']))
        self.assertFalse(stale.save(expected_status=['running']))
        self.assertEqual(mig.id, migration.Migration.get_by_id_and_instance(
            self.context, mig.id, mig.instance_uuid).id)
        self.assertRaises(exception.MigrationNotFoundForInstance,
                          migration.Migration.get_by_id_and_instance,
                          self.context, mig.id, uuidutils.generate_uuid())

    def test_create_live_migration_is_the_row_written(self):
        inst = _instance(self.context, instance_type_id=3)
        ctxt = migrator_context.RequestContext(user_id='u1',
                                               project_id='p1')
        made = migration.Migration.create_live_migration(ctxt, inst)
        self.assertEqual('accepted', made.status)
        self.assertEqual(('compute1', 'compute1', 3, 3, 'u1', 'p1'), (
            made.source_compute, made.source_node,
            made.old_instance_type_id, made.new_instance_type_id,
            made.user_id, made.project_id))
        # Every field set, as read back (the object is made from the
        # values written, not read).
        read = migration.Migration.get_by_id(ctxt, made.id)
        self.assertEqual(read.obj_to_primitive(), made.obj_to_primitive())
        self.assertEqual(set(), made.obj_what_changed())

    def test_list_filters(self):
        a = _migration(self.context, status='running')
        _migration(self.context, status='completed',
                   source_compute='compute3', dest_compute='compute4')
        self.assertEqual([a.uuid], [m.uuid for m in
                                    migration.MigrationList.get_by_filters(
                                        self.context, {'host': 'compute2'})])
        in_progress = migration.MigrationList.get_in_progress_by_instance(
            self.context, a.instance_uuid)
        self.assertEqual([a.uuid], [m.uuid for m in in_progress])
        self.assertEqual([a.uuid], [
            m.uuid for m in migration.MigrationList.get_unfinished_by_host(
                self.context, 'compute1')])

    def test_keyset_pagination(self):
        t0 = timeutils.utcnow().replace(microsecond=0)
        uuids = [_migration(self.context, created_at=t0 +
                            datetime.timedelta(seconds=i // 3)).uuid
                 for i in range(8)]
        seen, marker = [], None
        while True:
            page = migration.MigrationList.get_by_filters(
                self.context, limit=3, marker=marker)
            if not page:
                break
            self.assertLessEqual(len(page), 3)
            seen.extend(m.uuid for m in page)
            marker = page[-1].uuid
        self.assertEqual(list(reversed(uuids)), seen)
        self.assertRaises(exception.MarkerNotFound,
                          migration.MigrationList.get_by_filters,
                          self.context, marker=uuidutils.generate_uuid())


class TestInstanceAction(base.DBTestCase):
    def test_action_and_events(self):
        inst = _instance(self.context)
        ctxt = migrator_context.RequestContext(user_id='u1',
                                               project_id='p1')
        action = instance_action.InstanceAction.action_start(
            ctxt, inst.uuid, 'live-migration')
        self.assertEqual(ctxt.request_id, action.request_id)
        instance_action.InstanceActionEvent.event_start(
            ctxt, inst.uuid, 'conductor_live_migrate', host='c1')
        event = instance_action.InstanceActionEvent.event_finish(
            ctxt, inst.uuid, 'conductor_live_migrate')
        self.assertEqual(instance_action.SUCCESS, event.result)
        failed = instance_action.InstanceActionEvent.event_finish(
            ctxt, inst.uuid, 'compute_check',
            exc_val=exception.NoValidHost(reason='full'))
        self.assertEqual(instance_action.ERROR, failed.result)
        self.assertIn('full', failed.details)
        got = instance_action.InstanceAction.get_by_request_id(
            ctxt, inst.uuid, ctxt.request_id)
        self.assertEqual(instance_action.ERROR, got.message)
        events = instance_action.InstanceActionEventList.get_by_action(
            ctxt, got.id)
        self.assertEqual({'conductor_live_migrate', 'compute_check'},
                         {e.event for e in events})
        self.assertRaises(exception.InstanceActionNotFound,
                          instance_action.InstanceAction.get_by_request_id,
                          ctxt, inst.uuid, 'req-nope')

    def test_action_start_is_the_row_written(self):
        inst = _instance(self.context)
        ctxt = migrator_context.RequestContext(user_id='u1',
                                               project_id='p1')
        made = instance_action.InstanceAction.action_start(
            ctxt, inst.uuid, 'live-migration')
        read = instance_action.InstanceAction.get_by_request_id(
            ctxt, inst.uuid, ctxt.request_id)
        self.assertEqual(read.obj_to_primitive(), made.obj_to_primitive())
        self.assertEqual(made.start_time, made.created_at)
        with session.writer(ctxt) as db:
            new_id = instance_action.InstanceAction.start_in(
                db, ctxt, inst.uuid, 'migrate', timeutils.utcnow())
        self.assertEqual(
            [(new_id, 'migrate'), (made.id, 'live-migration')],
            [(a.id, a.action) for a in
             instance_action.InstanceActionList.get_by_instance_uuid(
                 ctxt, inst.uuid)])

    def test_list_marker(self):
        inst = _instance(self.context)
        request_ids = []
        for i in range(4):
            ctxt = migrator_context.RequestContext(user_id='u',
                                                   project_id='p')
            instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                        'act%d' % i)
            request_ids.append(ctxt.request_id)
        listed = instance_action.InstanceActionList.get_by_instance_uuid(
            self.context, inst.uuid)
        self.assertEqual(4, len(listed))
        after = instance_action.InstanceActionList.get_by_instance_uuid(
            self.context, inst.uuid, marker=listed[1].request_id)
        self.assertEqual([a.request_id for a in listed[2:]],
                         [a.request_id for a in after])


class TestService(base.DBTestCase):
    def test_create_get_save_list_destroy(self):
        svc = service.Service(self.context, host='compute1',
                              binary='migrator-compute', topic='compute',
                              version=service.SERVICE_VERSION)
        svc.create()
        got = service.Service.get_by_compute_host(self.context, 'compute1')
        self.assertEqual(svc.uuid, got.uuid)
        self.assertEqual(svc.id, service.Service.get_by_id(
            self.context, svc.id).id)
        self.assertEqual(svc.id, service.Service.get_by_uuid(
            self.context, svc.uuid).id)
        got.disabled = True
        got.disabled_reason = 'maintenance'
        got.save()
        self.assertEqual(1, len(service.ServiceList.get_all(
            self.context, disabled=True)))
        self.assertEqual(service.SERVICE_VERSION,
                         service.ServiceList.get_minimum_version(
                             self.context, 'migrator-compute'))
        got.destroy()
        self.assertRaises(exception.ComputeHostNotFound,
                          service.Service.get_by_compute_host,
                          self.context, 'compute1')
        self.assertEqual([], list(service.ServiceList.get_all(
            self.context)))


class TestComputeNode(base.DBTestCase):
    def test_create_get_save_list(self):
        node = compute_node.ComputeNode(
            self.context, host='compute1', hypervisor_hostname='compute1',
            vcpus=16, memory_mb=32768, local_gb=500)
        node.create()
        got = compute_node.ComputeNode.get_by_host_and_nodename(
            self.context, 'compute1', 'compute1')
        self.assertEqual(0, got.vcpus_used)
        got.vcpus_used = 4
        got.save()
        self.assertEqual(4, compute_node.ComputeNode.get_by_id(
            self.context, node.id).vcpus_used)
        self.assertEqual(1, len(compute_node.ComputeNodeList.get_all(
            self.context)))
        self.assertRaises(exception.ComputeHostNotFound,
                          compute_node.ComputeNodeList.get_all_by_host,
                          self.context, 'compute9')


class TestInstanceFault(base.DBTestCase):
    def test_record_and_latest(self):
        inst = _instance(self.context)
        self.assertIsNone(instance_fault.InstanceFault
                          .get_latest_for_instance(self.context, inst.uuid))
        instance_fault.InstanceFault.record(
            self.context, inst.uuid, exception.NoValidHost(reason='x'),
            host='compute1')
        fault = instance_fault.InstanceFault.get_latest_for_instance(
            self.context, inst.uuid)
        self.assertIn('No valid host', fault.message)


class TestUUIDField(testtools.TestCase):
    """The project's UUIDField coerces as oslo.versionedobjects' does."""

    def setUp(self):
        super().setUp()
        self.field = migrator_fields.UUIDField(nullable=True)

    def test_valid_uuid_becomes_its_string(self):
        value = uuid_lib.uuid4()
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            self.assertEqual(str(value), self.field.coerce(None, 'u', value))
            self.assertEqual(str(value),
                             self.field.coerce(None, 'u', str(value)))

    def test_invalid_uuid_kept_with_oslo_warning(self):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter('always')
            self.assertEqual('not-a-uuid',
                             self.field.coerce(None, 'u', 'not-a-uuid'))
        self.assertTrue(any(issubclass(w.category, FutureWarning)
                            for w in seen))

    def test_none_allowed_when_nullable(self):
        self.assertIsNone(self.field.coerce(None, 'u', None))

"""The request context and objects across RPC, the rpcapi client classes'
versions and caps, and a real call and cast on the fake transport."""
import inspect
from unittest import mock

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_utils import uuidutils

from migrator import context as migrator_context
from migrator.objects import base as objects_base
from migrator.objects import instance as instance_obj
from migrator import rpc
from migrator.rpcapi import base as rpcapi_base
from migrator.rpcapi import compute as compute_rpcapi
from migrator.rpcapi import conductor as conductor_rpcapi
from migrator.rpcapi import contract
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures


class TestContextSerializer(base.TestCase):
    def test_context_round_trip(self):
        ctxt = migrator_context.RequestContext(
            user_id='u1', project_id='p1', roles=['member'],
            read_deleted='yes', cell_uuid=uuidutils.generate_uuid(),
            request_id='req-1234')
        serializer = rpc.RequestContextSerializer(
            objects_base.MigratorObjectSerializer())
        wire = serializer.serialize_context(ctxt)
        self.assertIsInstance(wire, dict)
        back = serializer.deserialize_context(wire)
        self.assertIsInstance(back, migrator_context.RequestContext)
        for attr in ('user_id', 'project_id', 'roles', 'read_deleted',
                     'cell_uuid', 'request_id', 'is_admin'):
            self.assertEqual(getattr(ctxt, attr), getattr(back, attr), attr)

    def test_admin_context_round_trip(self):
        ctxt = migrator_context.get_admin_context()
        back = migrator_context.RequestContext.from_dict(ctxt.to_dict())
        self.assertTrue(back.is_admin)
        self.assertIn('admin', back.roles)

    def test_object_round_trip(self):
        ctxt = migrator_context.get_admin_context()
        inst = instance_obj.Instance(uuid=uuidutils.generate_uuid(),
                                     host='compute1', metadata={'a': 'b'})
        serializer = rpc.RequestContextSerializer(
            objects_base.MigratorObjectSerializer())
        wire = serializer.serialize_entity(ctxt, inst)
        self.assertEqual('Instance', wire['migrator_object.name'])
        back = serializer.deserialize_entity(ctxt, wire)
        self.assertIsInstance(back, instance_obj.Instance)
        self.assertEqual(inst.uuid, back.uuid)
        self.assertEqual({'a': 'b'}, back.metadata)


class _NewerAPI(rpcapi_base.RPCClientBase):
    TOPIC = 'test'
    VERSION = '1.1'
    UPGRADE_LEVEL = 'compute'
    METHODS = {'old': ('1.0', 'call', [], 'old'),
               'new': ('1.1', 'cast', [], 'new')}

    def old(self, ctxt):
        return self._prepare('old').call(ctxt, 'old')

    def new(self, ctxt):
        self._prepare('new').cast(ctxt, 'new')


class TestVersionCaps(base.TestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(migrator_fixtures.RPCFixture())

    def test_no_cap_sends_newest(self):
        api = _NewerAPI()
        # Without a cap the client sends any version it is asked to.
        self.assertTrue(api.can_send_version('1.1'))
        self.assertIsNone(api.client.version_cap)

    def test_cap_from_upgrade_levels(self):
        self.flags(compute='1.0', group='upgrade_levels')
        api = _NewerAPI()
        self.assertTrue(api.can_send_version('1.0'))
        self.assertFalse(api.can_send_version('1.1'))
        self.assertRaises(messaging.RPCVersionCapError, api.new,
                          migrator_context.get_admin_context())

    def test_long_calls_watch_the_server(self):
        # A long call may take long_rpc_timeout, but a server that stops
        # sending heartbeats fails it after rpc_response_timeout.
        self.flags(long_rpc_timeout=1800, rpc_response_timeout=30)
        api = compute_rpcapi.ComputeAPI()
        kwargs = api._prepare('pre_live_migration', server='dest',
                              long=True)._kwargs
        self.assertEqual((1800, 30), (kwargs['timeout'],
                                      kwargs['call_monitor_timeout']))
        self.assertNotIn('call_monitor_timeout',
                         api._prepare('ping', server='dest')._kwargs)

    def test_real_clients_honour_caps(self):
        self.flags(compute='1.0', conductor='1.0', group='upgrade_levels')
        for cls in (compute_rpcapi.ComputeAPI, conductor_rpcapi.ConductorAPI):
            api = cls()
            self.assertTrue(api.can_send_version('1.0'))
            self.assertFalse(api.can_send_version('1.99'))


def _public_methods(cls):
    return {name for name, fn in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith('_') and
            name not in dir(rpcapi_base.RPCClientBase)}


class TestMethodsTables(base.TestCase):
    """Each client's METHODS table is what its methods really send."""

    def setUp(self):
        super().setUp()
        self.useFixture(migrator_fixtures.RPCFixture())

    def test_every_client_is_found(self):
        names = {cls.__name__ for cls in contract.client_classes()}
        self.assertTrue({'ComputeAPI', 'ConductorAPI'} <= names, names)

    def test_methods_match_table(self):
        for cls in contract.client_classes():
            self.assertEqual(set(cls.METHODS), _public_methods(cls),
                             '%s.METHODS does not list exactly its public '
                             'methods' % cls.__name__)
            for name, (since, kind, arguments, what) in cls.METHODS.items():
                self._check_method(cls, name, since, kind, arguments)
                self.assertTrue(what, '%s.%s has no description'
                                % (cls.__name__, name))

    def _check_method(self, cls, name, since, kind, arguments):
        where = '%s.%s' % (cls.__name__, name)
        self.assertIn(kind, ('call', 'cast'), where)
        self.assertLessEqual(
            tuple(int(p) for p in since.split('.')),
            tuple(int(p) for p in cls.VERSION.split('.')),
            '%s appears in %s, after the class version %s'
            % (where, since, cls.VERSION))
        api = cls()
        api.client = mock.Mock()
        api.client.can_send_version.return_value = True
        prepared = api.client.prepare.return_value
        params = list(inspect.signature(getattr(cls, name)).parameters)[2:]
        getattr(api, name)(mock.sentinel.ctxt,
                           **{p: mock.Mock(name=p) for p in params})
        versions = [c.kwargs.get('version')
                    for c in api.client.prepare.call_args_list]
        self.assertIn(since, versions, '%s prepared %s, not its version %s'
                      % (where, versions, since))
        sent = getattr(prepared, kind)
        other = getattr(prepared, 'cast' if kind == 'call' else 'call')
        self.assertTrue(sent.called, '%s is not a %s' % (where, kind))
        self.assertFalse(other.called, '%s is not only a %s' % (where, kind))
        args, kwargs = sent.call_args
        self.assertEqual(name, args[1], where)
        self.assertEqual(set(arguments), set(kwargs),
                         '%s sends other arguments than METHODS lists'
                         % where)


class TestCallAndCast(base.DBTestCase):
    """A real service on the fake transport answers a call and a cast."""

    def setUp(self):
        super().setUp()
        self.useFixture(migrator_fixtures.RPCFixture())

    def _start(self, svc):
        svc.start()
        self.addCleanup(svc.stop, 5)
        return svc

    def test_conductor_ping(self):
        from migrator.conductor import manager
        from migrator import service
        self._start(service.Service('cond1', 'migrator-conductor',
                                    'conductor',
                                    manager.ConductorManager('cond1')))
        answer = conductor_rpcapi.ConductorAPI().ping(
            migrator_context.get_admin_context(), 'hello')
        self.assertEqual({'host': 'cond1', 'service': 'conductor',
                          'payload': 'hello'}, answer)

    def test_compute_ping_and_refresh(self):
        from migrator.compute import manager
        from migrator.objects import compute_node
        from migrator import service
        self.flags(vcpus=8, group='fake_driver')
        self._start(service.Service('compute1', 'migrator-compute',
                                    'compute',
                                    manager.ComputeManager('compute1')))
        ctxt = migrator_context.get_admin_context()
        api = compute_rpcapi.ComputeAPI()
        self.assertEqual('compute1', api.ping(ctxt, 'compute1', 1)['host'])
        node = compute_node.ComputeNodeList.get_all_by_host(
            ctxt, 'compute1')[0]
        self.assertEqual(8, node.vcpus)
        self.flags(vcpus=12, group='fake_driver')
        api.refresh_resources(ctxt, 'compute1')
        # The cast returns at once; a call behind it on the same server
        # returns after it (one connection, in order) - poll to be safe.
        for _ in range(100):
            node = compute_node.ComputeNodeList.get_all_by_host(
                ctxt, 'compute1')[0]
            if node.vcpus == 12:
                break
            import time
            time.sleep(0.05)
        self.assertEqual(12, node.vcpus)


CONF = cfg.CONF


class TestReconnectBackoff(base.TestCase):
    """On RabbitMQ a service retries a lost broker at least every
    rpc.RABBIT_INTERVAL_MAX seconds, unless its configuration says
    otherwise."""

    def _init(self):
        self.flags(transport_url='rabbit://guest:guest@127.0.0.1:1/')
        rpc.cleanup()
        rpc.init(CONF)
        self.addCleanup(rpc.cleanup)
        return CONF.oslo_messaging_rabbit.rabbit_interval_max

    def test_default_backoff_is_short(self):
        self.assertEqual(rpc.RABBIT_INTERVAL_MAX, self._init())

    def test_configured_backoff_wins(self):
        self._init()
        self.flags(rabbit_interval_max=20, group='oslo_messaging_rabbit')
        self.assertEqual(20, self._init())

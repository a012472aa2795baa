"""The RPC dispatcher refuses, in one log line and with an error for the
caller, every message a service cannot serve (migrator.rpc_guard), and
leaves the failures of a method that accepted its message alone."""
import logging
from unittest import mock

import fixtures
import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher as rpc_dispatcher
from oslo_utils import uuidutils

from migrator import context as migrator_context
from migrator import exception
from migrator.objects import base as objects_base
from migrator.objects import instance as instance_obj
from migrator import rpc
from migrator import rpc_guard
from migrator.tests import base


class _Endpoint:
    target = messaging.Target(version='1.3')

    def __init__(self):
        self.seen = []

    def ping(self, ctxt, payload):
        self.seen.append((ctxt, payload))
        return {'payload': payload}

    def take_instance(self, ctxt, instance):
        self.seen.append(instance)
        return instance.uuid

    @messaging.expected_exceptions(exception.MigratorException)
    def build(self, ctxt, instance_uuid, node=None):
        self.seen.append(instance_uuid)

    def fails_remotely(self, ctxt):
        # What a method sees when a service it calls refused a message.
        raise exception.RPCMessageRejected(reason='elsewhere')


def _incoming(method, args=None, version='1.0', ctxt=None, **extra):
    message = dict(method=method, version=version, **extra)
    if args is not None:
        message['args'] = args
    incoming = mock.Mock(message=message, client_timeout=None)
    incoming.ctxt = (migrator_context.get_admin_context().to_dict()
                     if ctxt is None else ctxt)
    return incoming


class TestGuardedDispatcher(base.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='migrator.rpc_guard', level=logging.DEBUG))
        self.endpoint = _Endpoint()
        self.dispatcher = rpc_guard.GuardedRPCDispatcher(
            [self.endpoint],
            rpc.RequestContextSerializer(
                objects_base.MigratorObjectSerializer()),
            rpc_dispatcher.DefaultRPCAccessPolicy)

    def refused(self, incoming, kind):
        """Dispatch ``incoming``; it must be refused with ``kind`` and
        one log line that names the method."""
        error = self.assertRaises(messaging.ExpectedException,
                                  self.dispatcher.dispatch, incoming)
        self.assertIsInstance(error.exc_info[1], kind)
        lines = self.log.output.strip().splitlines()
        self.assertEqual(1, len(lines), self.log.output)
        self.assertIn('Refused RPC message', lines[0])
        self.assertIn(repr(incoming.message.get('method')), lines[0])
        self.assertNotIn('Traceback', self.log.output)
        self.assertEqual([], self.endpoint.seen)
        return error.exc_info[1]

    def test_good_message_is_served(self):
        self.assertEqual({'payload': 'x'}, self.dispatcher.dispatch(
            _incoming('ping', {'payload': 'x'})))
        self.assertEqual('', self.log.output)

    def test_unknown_method(self):
        self.refused(_incoming('format_disks', {}),
                     rpc_dispatcher.NoSuchMethod)

    def test_private_method(self):
        self.refused(_incoming('__init__', {}), rpc_dispatcher.NoSuchMethod)

    def test_newer_rpc_version(self):
        self.refused(_incoming('ping', {'payload': 1}, version='1.9'),
                     rpc_dispatcher.UnsupportedVersion)

    def test_newer_major_version(self):
        self.refused(_incoming('ping', {'payload': 1}, version='2.0'),
                     rpc_dispatcher.UnsupportedVersion)

    def test_missing_argument(self):
        exc = self.refused(_incoming('ping', {}),
                           exception.RPCMessageRejected)
        self.assertIn('ping does not take these arguments', str(exc))

    def test_extra_argument(self):
        self.refused(_incoming('ping', {'payload': 1, 'force': True}),
                     exception.RPCMessageRejected)

    def test_arguments_of_a_decorated_method(self):
        # expected_exceptions hides the signature; it is found anyway.
        self.dispatcher.dispatch(_incoming('build', {'instance_uuid': 'u'}))
        self.assertEqual(['u'], self.endpoint.seen)
        self.endpoint.seen = []
        self.refused(_incoming('build', {'instance': 'u'}),
                     exception.RPCMessageRejected)

    def test_args_not_a_dict(self):
        self.refused(_incoming('ping', ['payload']),
                     exception.RPCMessageRejected)

    def test_bad_version_string(self):
        for version in ('one', 5, '1.0.0.0', ''):
            self.assertRaises(messaging.ExpectedException,
                              self.dispatcher.dispatch,
                              _incoming('ping', {'payload': 1},
                                        version=version))
        self.assertEqual([], self.endpoint.seen)

    def test_no_method_name(self):
        self.refused(_incoming(None, {}), exception.RPCMessageRejected)

    def test_bad_context(self):
        good = migrator_context.get_admin_context().to_dict()
        for bad in ({'read_deleted': 'sometimes'}, {'roles': 'admin'},
                    {'roles': [1]}, {'is_admin': 'yes'},
                    {'project_id': ['p']}):
            ctxt = dict(good, **bad)
            error = self.assertRaises(
                messaging.ExpectedException, self.dispatcher.dispatch,
                _incoming('ping', {'payload': 1}, ctxt=ctxt))
            self.assertIsInstance(error.exc_info[1],
                                  exception.RPCMessageRejected)
            self.assertIn('context', str(error.exc_info[1]))
        self.assertEqual([], self.endpoint.seen)
        self.assertEqual(5, len(self.log.output.strip().splitlines()))

    def _instance_primitive(self):
        inst = instance_obj.Instance(uuid=uuidutils.generate_uuid(),
                                     host='compute1')
        return objects_base.MigratorObjectSerializer().serialize_entity(
            None, inst)

    def test_object_is_served(self):
        primitive = self._instance_primitive()
        self.assertEqual(
            primitive['migrator_object.data']['uuid'],
            self.dispatcher.dispatch(_incoming(
                'take_instance', {'instance': primitive})))

    def test_newer_object_version(self):
        primitive = self._instance_primitive()
        primitive['migrator_object.version'] = '1.99'
        exc = self.refused(_incoming('take_instance',
                                     {'instance': primitive}),
                           exception.RPCMessageRejected)
        self.assertIn('object Instance version 1.99', str(exc))

    def test_garbage_objects(self):
        unknown = dict(self._instance_primitive(),
                       **{'migrator_object.name': 'Spaceship'})
        bad_field = self._instance_primitive()
        bad_field['migrator_object.data']['uuid'] = {'not': 'a uuid'}
        bad_field['migrator_object.data']['id'] = 'many'
        no_data = {'migrator_object.name': 'Instance',
                   'migrator_object.namespace': 'migrator',
                   'migrator_object.version': '1.1',
                   'migrator_object.data': 'garbage'}
        for primitive in (unknown, bad_field, no_data):
            error = self.assertRaises(
                messaging.ExpectedException, self.dispatcher.dispatch,
                _incoming('take_instance', {'instance': primitive}))
            self.assertIsInstance(error.exc_info[1],
                                  exception.RPCMessageRejected)
        self.assertEqual([], self.endpoint.seen)
        self.assertNotIn('Traceback', self.log.output)

    def test_failure_of_an_accepted_method_is_its_own(self):
        # Not a refusal of this message: no refusal line, the error
        # travels on as oslo.messaging handles any failure.
        self.assertRaises(exception.RPCMessageRejected,
                          self.dispatcher.dispatch,
                          _incoming('fails_remotely', {}))
        self.assertNotIn('Refused', self.log.output)


class TestServerUsesTheGuard(base.TestCase):

    def test_get_server_dispatches_through_the_guard(self):
        self.flags(transport_url='fake:///')
        rpc.cleanup()
        rpc.init()
        self.addCleanup(rpc.cleanup)
        server = rpc.get_server(messaging.Target(topic='t', server='h'),
                                [_Endpoint()])
        self.assertIsInstance(server.dispatcher,
                              rpc_guard.GuardedRPCDispatcher)

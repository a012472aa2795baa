"""A real migrator-compute on RabbitMQ (MariaDB) takes hostile RPC
messages and goes on serving (issue 13, item 7).

From this test process, with a raw oslo.messaging client (no migrator
rpcapi in between) and, for bytes that are not JSON at all, with kombu,
the compute is sent: an unknown method, a private one, a newer RPC
version, missing and extra arguments, a context with a read_deleted it
does not know, an object of a newer version and a garbage object, each
as a call and as a cast. Every call gets an error back at once (not a
timeout); afterwards the process is alive, answers a normal ping, its
log has one "Refused RPC message" line per hostile message naming the
method, and no traceback.
"""
import os
import time

import kombu
import oslo_messaging as messaging
from oslo_utils import uuidutils

from migrator import context as migrator_context
from migrator import exception
from migrator.objects import base as objects_base
from migrator.objects import instance as instance_obj
from migrator import rpc
from migrator.rpcapi import compute as compute_rpcapi
from migrator.tests import base
from migrator.tests.integration import test_services

HOST = 'compute-hostile'
# No call may wait for the RPC timeout: an answer comes back at once.
CALL_TIMEOUT = 20


class TestHostileRPC(test_services.Deployment, base.TestCase):
    BACKEND = 'mysql'

    def _instance(self, version=None, data=None):
        primitive = objects_base.MigratorObjectSerializer().serialize_entity(
            None, instance_obj.Instance(uuid=uuidutils.generate_uuid()))
        if version:
            primitive['migrator_object.version'] = version
        if data is not None:
            primitive['migrator_object.data'] = data
        return primitive

    def _hostile(self):
        """(method, version, args, context changes, what a call gets)."""
        return [
            ('format_disks', '1.0', {}, {}, 'NoSuchMethod'),
            ('_free_pmem', '1.0', {}, {}, 'NoSuchMethod'),
            ('ping', '1.99', {'payload': 1}, {}, 'UnsupportedVersion'),
            ('ping', '1.0', {}, {}, exception.RPCMessageRejected),
            ('ping', '1.0', {'payload': 1, 'as_root': True}, {},
             exception.RPCMessageRejected),
            ('ping', '1.0', {'payload': 1},
             {'read_deleted': 'everything'}, exception.RPCMessageRejected),
            ('terminate_instance', '1.0',
             {'instance': self._instance(version='1.99')}, {},
             exception.RPCMessageRejected),
            ('terminate_instance', '1.0',
             {'instance': self._instance(data='garbage')}, {},
             exception.RPCMessageRejected),
        ]

    def test_hostile_messages_are_refused_and_the_service_serves_on(self):
        # The compute needs its cell database only.
        self.manage('db', 'sync', '--local_cell')
        compute = self.start('migrator-compute', HOST)
        self.rpc_client_setup()
        ctxt = migrator_context.get_admin_context()
        good_context = ctxt.to_dict()
        target = messaging.Target(topic='compute', server=HOST)
        # A raw client: the context and arguments go as given.
        client = messaging.get_rpc_client(rpc.TRANSPORT, target,
                                          timeout=CALL_TIMEOUT)
        self._wait_for_ping(client, good_context, compute)
        hostile = self._hostile()
        for method, version, args, bad_context, expected in hostile:
            prepared = client.prepare(version=version)
            context = dict(good_context, **bad_context)
            prepared.cast(context, method, **args)
            started = time.monotonic()
            try:
                prepared.call(context, method, **args)
            except messaging.MessagingTimeout:
                self.fail('%s %s: no answer, a timeout' % (method, args))
            except messaging.RemoteError as exc:
                self.assertEqual(expected, exc.exc_type, method)
            except exception.RPCMessageRejected:
                self.assertIs(expected, exception.RPCMessageRejected,
                              method)
            else:
                self.fail('%s %s was served' % (method, args))
            self.assertLess(time.monotonic() - started, CALL_TIMEOUT)
        # Bytes that are not a message at all, on the compute's queue.
        with kombu.Connection(self.transport_url.replace(
                'rabbit://', 'amqp://')) as conn:
            conn.Producer().publish(
                b'\x00not json{', exchange=self.exchange,
                routing_key='compute.%s' % HOST,
                content_type='application/json',
                content_encoding='utf-8', declare=[])

        # Still alive and serving.
        self.assertEqual(HOST, compute_rpcapi.ComputeAPI().ping(
            ctxt, HOST, 'after')['host'])
        self.assertIsNone(compute.poll())
        log = self._log(HOST)
        refused = [line for line in log.splitlines()
                   if 'Refused RPC message' in line]
        # A cast and a call of each.
        self.assertEqual(2 * len(hostile), len(refused), log)
        for method, *_ in hostile:
            self.assertIn("method='%s'" % method, log)
        self.assertIn('object Instance version 1.99', log)
        self.assertIn('read_deleted', log)
        # The undecodable bytes: dropped by the driver, in one line.
        self.assertIn('Failed to process message', log)
        self.assertNotIn('Traceback', log)

    def _wait_for_ping(self, client, context, proc):
        deadline = time.monotonic() + test_services.START_TIMEOUT
        while True:
            self.assertIsNone(proc.poll(), 'migrator-compute exited')
            try:
                return client.prepare(timeout=2).call(context, 'ping',
                                                      payload='hello')
            except messaging.MessagingTimeout:
                if time.monotonic() > deadline:
                    raise

    def _log(self, host):
        with open(os.path.join(self.tmp, '%s.log' % host)) as f:
            return f.read()

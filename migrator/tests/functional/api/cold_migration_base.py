"""What the cold-migration tests share: a control plane whose two fake
compute hosts have file-backed PMEM namespaces, the compute API in front
of it, and helpers to make a PMEM server, write and read its namespace,
and follow a move through the API."""
import os

from oslo_serialization import jsonutils
import testtools
import webob

from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj
from migrator.objects import pmem_namespace as pmem_obj
from migrator.tests.functional.api import control_plane_api
from migrator.tests.functional import control_plane

MIB = 1024 * 1024
# Two 4 MiB and two 8 MiB namespaces per host (sizes from the labels).
NAMESPACES = ['4M:pmem0|pmem1', '8M:pmem2|pmem3']
SMALL = {'hw:pmem': '4M'}
LARGE = {'hw:pmem': '8M'}


class ColdMigrationTestBase(testtools.TestCase):
    hosts = ('compute1', 'compute2')
    extra_config = {}

    def setUp(self):
        super().setUp()
        # A loaded machine delays heartbeats by seconds: these tests are
        # about moves, not about noticing a dead service, so a service
        # counts as down only after a minute of silence.
        config = {'libvirt': {'pmem_namespaces': NAMESPACES},
                  None: {'service_down_time': 60}}
        for group, values in self.extra_config.items():
            config[group] = dict(config.get(group, {}), **values)
        self.api = self.useFixture(control_plane_api.ControlPlaneAPI(
            hosts=self.hosts, config=config))
        self.plane = self.api.plane
        self.app = self.api.app()
        self.small = self._flavor('pmem.test.small', 512, 1, 1, SMALL)
        self.large = self._flavor('pmem.test.large', 1024, 1, 2, LARGE)

    def _flavor(self, name, ram, vcpus, disk, specs):
        from migrator.objects import flavor as flavor_obj
        flavor = flavor_obj.Flavor(
            self.plane.admin, flavorid=name, name=name, memory_mb=ram,
            vcpus=vcpus, root_gb=disk, ephemeral_gb=0, swap=0,
            is_public=True, extra_specs=dict(specs))
        flavor.create()
        return flavor

    # -- HTTP -----------------------------------------------------------------
    def request(self, path, version='2.1', method='GET', body=None,
                token='admin:admin'):
        headers = {'X-Auth-Token': token,
                   'OpenStack-API-Version': 'compute %s' % version}
        req = webob.Request.blank('/v2.1' + path, method=method,
                                  headers=headers)
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        data = jsonutils.loads(resp.body) if resp.body else None
        return resp.status_int, data

    def action(self, uuid, body, version='2.1', token='admin:admin'):
        return self.request('/servers/%s/action' % uuid, version, 'POST',
                            body, token)

    def server_status(self, uuid):
        return self.request('/servers/%s' % uuid)[1]['server']['status']

    def wait_status(self, uuid, status, timeout=30):
        return control_plane.wait_for(
            lambda: self.server_status(uuid) == status, timeout=timeout,
            what='server %s to be %s (is %s)'
            % (uuid, status, self.server_status(uuid)))

    def migration(self, uuid):
        return self.plane.migration_of(uuid)

    def wait_migration(self, uuid, statuses, timeout=30):
        return self.plane.wait_for_migration(uuid, statuses, timeout)

    def events(self, uuid, action):
        """{event name: (result, details)} of the server's newest
        ``action``."""
        status, body = self.request('/servers/%s/os-instance-actions' % uuid,
                                    '2.84')
        request_id = [a for a in body['instanceActions']
                      if a['action'] == action][0]['request_id']
        status, body = self.request('/servers/%s/os-instance-actions/%s'
                                    % (uuid, request_id), '2.84')
        return {e['event']: (e['result'], e.get('details'))
                for e in body['instanceAction']['events']}

    # -- servers and namespaces ---------------------------------------------
    def boot(self, flavor=None, host='compute1', metadata=None):
        flavor = flavor or self.small
        inst = self.plane.boot(flavor.name, host=host, metadata=metadata)
        self.assertEqual('active', inst.vm_state, 'the server did not '
                         'build: %s' % self.request(
                             '/servers/%s' % inst.uuid)[1])
        return inst

    def instance(self, uuid):
        return instance_obj.Instance.get_by_uuid(self.plane.admin, uuid)

    def namespaces(self, uuid, host=None):
        return list(pmem_obj.PmemNamespaceList.get_by_instance(
            self.plane.admin, uuid, host=host))

    def host_namespaces(self, host):
        return list(pmem_obj.PmemNamespaceList.get_by_host(
            self.plane.admin, host))

    @staticmethod
    def pattern(size, seed=b'migrator'):
        block = (seed * (4096 // len(seed) + 1))[:4096]
        return (block * (size // 4096 + 1))[:size]

    def write_data(self, uuid, seed=b'pmem-data'):
        """Fill the server's namespace with known bytes; returns them."""
        ns = self.namespaces(uuid)[0]
        data = self.pattern(ns.size, seed)
        with open(ns.devpath, 'r+b') as handle:
            handle.write(data)
        return data

    @staticmethod
    def read(path):
        with open(path, 'rb') as handle:
            return handle.read()

    def assert_zeroed(self, path):
        data = self.read(path)
        self.assertEqual(b'\0' * len(data), data,
                         '%s is not zeroed' % path)

    def assert_free(self, host):
        busy = [(ns.name, ns.instance_uuid) for ns in
                self.host_namespaces(host) if ns.instance_uuid]
        self.assertEqual([], busy, 'namespaces still assigned on %s'
                         % host)

    def migrations_api(self, version='2.106'):
        return self.request('/os-migrations', version)[1]['migrations']

    def file_exists(self, path):
        return os.path.exists(path)


MIGRATION = migration_obj

"""openstacksdk against the API served over real HTTP (cheroot on a free
port), without Keystone: auth_type admin_token with the noauth2 token
'admin:admin' and the endpoint http://127.0.0.1:PORT/v2.1."""
import openstack
import testtools

from migrator.api import server as api_server
from migrator.tests.functional.api import fixtures as api_fixtures


def connect(url, token='admin:admin'):
    return openstack.connect(
        auth_type='admin_token',
        auth={'endpoint': url + '/v2.1', 'token': token},
        compute_api_version='2', region_name='RegionOne',
        load_envvars=False, load_yaml_config=False)


class ServeMixin:

    def serve(self, app):
        server = api_server.WSGIServer(app, '127.0.0.1', 0, threads=4)
        server.start()
        self.addCleanup(server.stop)
        return server.url


class TestSDK(ServeMixin, testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(api_fixtures.APIFixture())
        self.conn = connect(self.serve(self.api.app()))

    def test_flavors_and_server_lifecycle(self):
        flavors = {f.name: f for f in self.conn.compute.flavors()}
        self.assertIn('m1.tiny', flavors)
        self.assertEqual(512, flavors['m1.tiny'].ram)

        created = self.conn.compute.create_server(
            name='sdk-1', flavor_id=flavors['m1.tiny'].id,
            image_id='any-image-id', networks='none')
        shown = self.conn.compute.get_server(created.id)
        self.assertEqual('sdk-1', shown.name)
        # No conductor runs in this test: the server waits to be built.
        self.assertEqual('BUILD', shown.status)
        self.assertEqual('m1.tiny', shown.flavor.original_name)

        listed = [s.id for s in self.conn.compute.servers()]
        self.assertEqual([created.id], listed)
        detailed = list(self.conn.compute.servers(details=True,
                                                  all_projects=True))
        self.assertEqual('building', detailed[0].vm_state)

        self.conn.compute.delete_server(created.id)
        self.conn.compute.wait_for_delete(shown, wait=10)
        self.assertEqual([], list(self.conn.compute.servers()))

    def test_services_and_hypervisors(self):
        services = list(self.conn.compute.services())
        self.assertEqual({'host1', 'host2'}, {s.host for s in services})
        hypervisors = list(self.conn.compute.hypervisors(details=True))
        self.assertEqual(['host1', 'host2'],
                         sorted(h.name for h in hypervisors))

    def test_non_admin_is_forbidden_where_nova_forbids(self):
        conn = connect(self.serve(self.api.app()), token='demo:demo')
        self.assertRaises(openstack.exceptions.ForbiddenException,
                          list, conn.compute.services())
        self.assertEqual(3, len(list(conn.compute.flavors())))


class TestSDKWithControlPlane(ServeMixin, testtools.TestCase):
    """With a conductor and fake computes on the in-process transport,
    a server created through the API goes ACTIVE on a host and its
    delete goes through the compute."""

    def setUp(self):
        super().setUp()
        try:
            from migrator.tests.functional import control_plane
        except ImportError as exc:
            self.skipTest('control plane fixture not available: %s' % exc)
        from oslo_config import cfg

        from migrator.api.compute import app as compute_app
        from migrator import policy

        self.plane = self.useFixture(control_plane.ControlPlane())
        self.plane.conf.config(auth_strategy='noauth2', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.conn = connect(self.serve(compute_app.make_app(cfg.CONF)))

    def test_server_goes_active_and_is_deleted(self):
        flavor = self.conn.compute.find_flavor('m1.tiny')
        server = self.conn.compute.create_server(
            name='active-1', flavor_id=flavor.id, image_id='img',
            networks='none')
        server = self.conn.compute.wait_for_server(server, status='ACTIVE',
                                                   wait=30, interval=0.2)
        self.assertIn(server.compute_host, self.plane.hosts)
        self.assertEqual('ACTIVE', server.status)
        self.conn.compute.delete_server(server)
        self.conn.compute.wait_for_delete(server, wait=30, interval=0.2)

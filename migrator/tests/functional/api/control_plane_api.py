"""The compute API in front of a running control plane (conductor and
fake computes on the in-process transport): servers go ACTIVE, live
migrations run, and their outcome is read back through the API.

``ControlPlaneAPI`` is the fixture; ``prepare_servers`` makes the servers
whose state no API call of migrator can set (a locked one, a stopped one)
and returns their ids.
"""
import fixtures
from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from migrator.api.compute import app as compute_app
from migrator.objects import instance as instance_obj
from migrator import policy
from migrator.tests.functional import control_plane

CONF = cfg.CONF

# An operator's override that lets a project's members (every non-admin
# noauth2 user) live-migrate their servers, so that what comes after the
# policy check (the lock, the host policy) can be seen by a non-admin.
MEMBERS_MAY_LIVE_MIGRATE = {
    'os_compute_api:os-migrate-server:migrate_live':
        'rule:project_member_or_admin',
}


class ControlPlaneAPI(fixtures.Fixture):

    def __init__(self, hosts=('compute1', 'compute2'), policy_rules=None,
                 config=None):
        super().__init__()
        self.hosts = hosts
        self.policy_rules = policy_rules
        self.config = config

    def _setUp(self):
        self.plane = self.useFixture(control_plane.ControlPlane(
            self.hosts, config=self.config))
        self.plane.conf.config(auth_strategy='noauth2', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        if self.policy_rules:
            # In-code defaults fill in every rule not given here.
            policy.init(rules=oslo_policy.Rules.from_dict(
                self.policy_rules))

    def app(self):
        return compute_app.make_app(CONF)

    def prepare_servers(self):
        """{'LOCKED_SERVER': uuid, 'STOPPED_SERVER': uuid}: an ACTIVE
        server of project demo that is locked, and a stopped server of
        project admin, both on compute1."""
        plane = self.plane
        locked = plane.boot(host='compute1',
                            ctxt=plane.new_context('demo', 'demo'))
        locked.locked = True
        locked.save()
        stopped = plane.boot(host='compute1')
        stopped.vm_state = instance_obj.STOPPED
        stopped.save()
        return {'LOCKED_SERVER': locked.uuid,
                'STOPPED_SERVER': stopped.uuid}

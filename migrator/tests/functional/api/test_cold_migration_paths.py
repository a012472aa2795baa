"""A cold migration whose namespace record points outside this host's
configured namespaces ends in error before a byte is copied: the file it
points to is untouched, the guest runs again on the source with its
data, the destination's namespaces are zeroed and freed."""
import os

import fixtures
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator.tests.functional.api import test_cold_migration_failures \
    as failures
from migrator.tests.functional import control_plane


class TestHostileNamespaceRecord(failures.FailureTestBase):

    def test_source_record_pointing_elsewhere_is_refused(self):
        log = self.useFixture(fixtures.FakeLogger(name='migrator.safe_path'))
        inst = self.boot()
        data = self.write_data(inst.uuid)
        real = self.namespaces(inst.uuid)[0]
        # As large as the namespace: copying it would succeed.
        secret = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'secret')
        kept = self.pattern(real.size, b'secret')
        with open(secret, 'wb') as handle:
            handle.write(kept)
        # The row says the guest's namespace is another file.
        with session.writer(self.plane.admin) as db:
            db.execute(sa.update(models.PmemNamespace).where(
                models.PmemNamespace.id == real.id).values(devpath=secret))
        status, answer = self.action(
            inst.uuid, {'migrate': {'copy_pmem_devices': True}}, '2.105')
        self.assertEqual(202, status, answer)
        self.wait_migration(inst.uuid, ['error'])
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual('compute1', self.instance(inst.uuid).host)
        self.assertEqual(data, self.read(real.devpath))
        self.assertEqual(kept, self.read(secret))
        result, details = self.events(inst.uuid,
                                      'migrate')['compute_resize_instance']
        self.assertEqual('Error', result)
        self.assertIn('Refused path', details)
        self.assertIn("Refused path '%s'" % secret, log.output)
        control_plane.wait_for(
            lambda: not [ns for ns in self.host_namespaces('compute2')
                         if ns.instance_uuid],
            what='the destination namespaces to be freed')

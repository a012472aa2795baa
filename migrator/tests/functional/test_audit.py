"""migrator-status check: a sound deployment audits clean (exit 0); each
kind of left-over work is found, printed and makes it exit 1."""
import os
import subprocess
import sys

from oslo_config import cfg

from migrator.objects import instance as instance_obj
from migrator.objects import instance_mapping as mapping_obj
from migrator.objects import migration as migration_obj
from migrator.objects import service as service_obj
from migrator.tests.functional import test_live_migration_backend as lm

CONF = cfg.CONF


class TestAudit(lm.LiveMigrationTestBase):

    def status_check(self):
        conf = os.path.join(self.useFixture(
            __import__('fixtures').TempDir()).path, 'migrator.conf')
        with open(conf, 'w') as handle:
            handle.write('[DEFAULT]\nservice_down_time = 60\n'
                         '[database]\nconnection = %s\n'
                         '[api_database]\nconnection = %s\n'
                         % (CONF.database.connection,
                            CONF.api_database.connection))
        result = subprocess.run(
            [sys.executable, '-m', 'migrator.cmd.status', '--config-file',
             conf, 'check'], capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout

    def test_clean_after_migrations_then_finds_what_is_left(self):
        inst = self.cp.boot(host='compute1')
        self.start(inst, host='compute2')
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)
        self.cp.wait_for_task_cleared(inst.uuid)
        code, out = self.status_check()
        self.assertEqual((0, 'No problems found.\n'), (code, out))

        admin = self.cp.admin
        # A server left migrating with no migration at all.
        stuck = self.cp.boot(host='compute1')
        stuck.task_state = instance_obj.MIGRATING
        stuck.save()
        # A running migration whose source compute is down.
        moving = self.cp.boot(host='compute2')
        orphan = migration_obj.Migration.create_live_migration(admin,
                                                               moving)
        orphan.status = 'running'
        orphan.source_compute = 'compute9'
        orphan.dest_compute = 'compute1'
        orphan.save()
        # A claim on compute1 for an instance that was deleted.
        gone = self.cp.boot(host='compute2')
        claim = migration_obj.Migration.create_live_migration(admin, gone)
        claim.status = 'queued'
        claim.dest_compute = 'compute1'
        claim.save()
        gone.destroy()
        # A mapping without its instance.
        mapping_obj.InstanceMapping(
            admin, instance_uuid='9a7b6c5d-0000-4000-8000-000000000001',
            cell_mapping=self.cp.cell, project_id='p',
            user_id='u').create()
        # compute9 has a service record that is down.
        service_obj.Service(admin, host='compute9',
                            binary='migrator-compute',
                            topic='compute').create()

        code, out = self.status_check()
        self.assertEqual(1, code, out)
        self.assertIn('task', out)
        self.assertIn('instance %s: task migrating but no unfinished '
                      'migration with a live owner' % stuck.uuid, out)
        self.assertIn('migration %s: running with its owner (compute '
                      'compute9) down' % orphan.uuid, out)
        self.assertIn('migration %s: claims compute1 for instance %s, '
                      'which does not exist' % (claim.uuid, gone.uuid), out)
        self.assertIn('instance 9a7b6c5d-0000-4000-8000-000000000001: '
                      'mapped to cell1 but not in its database', out)
        self.assertIn('problem(s) found.', out)

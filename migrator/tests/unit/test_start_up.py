"""What a command or service loads before it does anything."""
import subprocess
import sys

import testtools


def _imported(modules, code):
    """Whether a fresh interpreter that runs ``code`` holds each module."""
    probe = ('import sys\n%s\nprint(" ".join(str(sys.modules.get(m) is not '
             'None) for m in %r))' % (code, modules))
    out = subprocess.run([sys.executable, '-c', probe], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    return dict(zip(modules, (word == 'True' for word in out.split())))


class TestStartUp(testtools.TestCase):

    def test_commands_and_services_do_not_load_eventlet(self):
        # futurist and oslo.utils probe for eventlet, which oslo.service
        # installs; loading it was a quarter of migrator-manage's start.
        loaded = _imported(
            ['eventlet', 'futurist', 'oslo_service.service'],
            'import migrator.cmd.manage\nimport migrator.cmd.compute\n'
            'import migrator.service\nimport oslo_service.service')
        self.assertEqual({'eventlet': False, 'futurist': True,
                          'oslo_service.service': True}, loaded)

    def test_a_program_that_chose_eventlet_keeps_it(self):
        loaded = _imported(['eventlet'], 'import eventlet\nimport migrator')
        self.assertEqual({'eventlet': True}, loaded)

"""Fixtures that put fakelibvirt in the driver's place."""
import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture

from migrator.conf import libvirt as libvirt_conf
from migrator.tests.unit.virt.libvirt import fakelibvirt
from migrator.virt.libvirt import host as libvirt_host

SOURCE_URI = 'qemu:///system'
DEST_URI = 'qemu+tcp://dest/system'


class FakeLibvirt(fixtures.Fixture):
    """fakelibvirt as the driver's libvirt, with a source host at
    SOURCE_URI and a destination host at DEST_URI."""

    def _setUp(self):
        fakelibvirt.reset()
        self.addCleanup(fakelibvirt.reset)
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.virt.libvirt.host.libvirt', fakelibvirt))
        libvirt_host.quieten_errors(fakelibvirt)
        self.source = fakelibvirt.add_host(SOURCE_URI, hostname='src')
        self.dest = fakelibvirt.add_host(DEST_URI, hostname='dest')


def make_conf(test, **overrides):
    """A private ConfigOpts with the [libvirt] group, set up for ``test``."""
    conf = cfg.ConfigOpts()
    libvirt_conf.register_opts(conf)
    conf([], project='migrator')
    fixture = test.useFixture(config_fixture.Config(conf))
    if overrides:
        fixture.config(group='libvirt', **overrides)
    return conf

"""/dashboard in a real browser: Debian's chromium, headless, driven by
Playwright for Python (no browser download: Playwright launches
/usr/bin/chromium). The API serves over real HTTP with a conductor and
fake computes behind it, and a live migration that does not converge
runs in real time (``time_scale`` 1) so the page can be watched.

The test signs in through the page's form with a noauth2 token, sees
the migration's card and its progress bar advance, sets the maximum
downtime and the bandwidth cap and aborts with the card's buttons, and
checks each through the API. The page must log no console error and
throw nothing; at 1280 px and at 390 px wide nothing overflows
sideways. Screenshots go to the test's temp dir
(``$MIGRATOR_DASHBOARD_SHOTS`` to keep them;
``$MIGRATOR_DASHBOARD_IMAGE=doc/source/images/dashboard.png`` refreshes
the documentation's picture).

Chromium missing is a failure naming the package, never a skip.
Nothing here asserts on time; waits poll with generous limits.
"""
import os
import shutil

import fixtures
from oslo_config import cfg
import testtools

from migrator.api.compute import app as compute_app
from migrator.objects import instance as instance_obj
from migrator import policy
from migrator.rpcapi import compute as compute_rpcapi
from migrator.tests.functional.api import test_sdk
from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import fixtures as volume_fixtures
from migrator.volume import api as volume_api

CHROMIUM = '/usr/bin/chromium'
# 60 MiB/s dirtied over a 512 MiB hot set on a 125 MiB/s link: the first
# pass over 2 GiB takes about 17 s, and with a maximum downtime of 50 or
# 100 ms it never switches over on its own.
NON_CONVERGING = {'sim_dirty_rate_mib': '60', 'sim_working_set_mib': '512'}
WAIT_MS = 20000
# A 1 GiB volume copied at 8 MiB/s: about two minutes, longer than the
# test, so that its card can be watched advancing.
VOLUME_COPY_MIB = 8
WIDE, NARROW = (1280, 900), (390, 844)


class TestDashboardInBrowser(test_sdk.ServeMixin, testtools.TestCase):

    def setUp(self):
        super().setUp()
        if not os.access(CHROMIUM, os.X_OK):
            self.fail('%s is missing: install the Debian package chromium '
                      '(apt-get install chromium; tools/run-tests.sh does)'
                      % CHROMIUM)
        try:
            from playwright import sync_api
        except ImportError:
            self.fail('playwright is missing: pip install -r '
                      'test-requirements.txt')
        self.sync_api = sync_api
        self.shots = (os.environ.get('MIGRATOR_DASHBOARD_SHOTS') or
                      self.useFixture(fixtures.TempDir()).path)
        os.makedirs(self.shots, exist_ok=True)
        self.cp = self.useFixture(control_plane.ControlPlane(time_scale=1.0))
        self.cp.conf.config(auth_strategy='noauth2', group='api')
        # A volume service with migrator-all's backends, for a volume
        # migration on the page.
        volume_fixtures.configure_backends(
            self.cp.conf, self.useFixture(fixtures.TempDir()).path)
        self.cp.conf.config(copy_rate_limit_mib=VOLUME_COPY_MIB,
                            progress_interval=0.2, group='volume')
        policy.reset()
        self.addCleanup(policy.reset)
        self.url = self.serve(compute_app.make_app(cfg.CONF))
        # Playwright's own browser download is never used.
        self.useFixture(fixtures.EnvironmentVariable(
            'PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD', '1'))
        pw = sync_api.sync_playwright().start()
        self.addCleanup(pw.stop)
        self.browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=['--no-sandbox', '--disable-dev-shm-usage'])
        self.addCleanup(self.browser.close)
        self.problems = []

    def open_page(self, size):
        page = self.browser.new_page(
            viewport={'width': size[0], 'height': size[1]})
        page.set_default_timeout(WAIT_MS)
        page.on('console', lambda msg: msg.type == 'error' and
                self.problems.append('console: %s (%s)' % (
                    msg.text, msg.location.get('url'))))
        page.on('pageerror', lambda exc: self.problems.append(
            'pageerror: %s' % exc))
        page.goto(self.url + '/dashboard')
        return page

    def sign_in(self, page):
        page.fill('#token', 'admin:admin')
        page.click('#login-form button[type=submit]')
        page.wait_for_selector('#live', state='visible')

    def start(self):
        inst, mig = self.cp.start_live_migration(NON_CONVERGING)
        self.addCleanup(self._stop, inst.uuid)
        return inst, mig

    def start_volume_migration(self):
        """A 1 GiB volume on volume1@file1 being copied to
        volume1@file2 by the volume service (slowly: VOLUME_COPY_MIB)."""
        self.useFixture(volume_fixtures.VolumeService())
        ctxt = volume_fixtures.admin()
        volume = volume_fixtures.make_volume(ctxt, name='dashboard-vol')
        volume_api.API().migrate(ctxt, volume, 'volume1@file2')
        return volume

    def _stop(self, uuid):
        mig = self.cp.migration_of(uuid)
        if mig is None or mig.status in control_plane.FINAL:
            return
        compute_rpcapi.ComputeAPI().live_migration_abort(
            self.cp.new_context(),
            instance_obj.Instance.get_by_uuid(self.cp.admin, uuid), mig.id)
        self.cp.wait_for_migration(uuid, timeout=30)

    def api_progress(self, page, inst, mig):
        """The migration's progress as the API shows it (GET through the
        page's own origin), or None once it is no longer in progress."""
        return page.evaluate(
            """async (path) => {
                 const r = await fetch(path, {headers: {
                   'X-Auth-Token': 'admin:admin',
                   'OpenStack-API-Version': 'compute 2.107'}});
                 return r.status === 200
                   ? (await r.json()).migration.progress : null;
               }""",
            '/v2.1/servers/%s/migrations/%s' % (inst.uuid, mig.id))

    def wait_for_polls(self, page, polls=2):
        """Until the page has read the API ``polls`` more times."""
        for _ in range(polls):
            stamp = page.inner_text('#updated')
            control_plane.wait_for(
                lambda: page.inner_text('#updated') != stamp,
                interval=0.1, what='the page to poll the API')

    def assert_no_overflow(self, page, what):
        widths = page.evaluate(
            '() => [document.documentElement.scrollWidth, '
            'document.documentElement.clientWidth]')
        self.assertLessEqual(widths[0], widths[1],
                             '%s overflows sideways: %s' % (what, widths))

    def shot(self, page, name):
        path = os.path.join(self.shots, name)
        page.screenshot(path=path, full_page=True)
        return path

    def assert_no_problems(self):
        self.assertEqual([], self.problems)

    def test_watch_set_downtime_and_bandwidth_then_abort(self):
        inst, mig = self.start()
        volume = self.start_volume_migration()
        page = self.open_page(WIDE)
        self.assert_no_overflow(page, 'the sign-in form at 1280 px')
        self.sign_in(page)
        card = page.locator('article.card[aria-label="Migration %s of '
                            'server %s"]' % (mig.id, inst.uuid))
        card.wait_for()
        self.assertIn('compute1 → compute2', card.inner_text())
        bar = card.locator('progress')

        def percent():
            return float(bar.get_attribute('value'))
        first = percent()
        control_plane.wait_for(lambda: percent() > first, timeout=30,
                               interval=0.2,
                               what='the progress bar to advance')
        # A card with data in it: the chart has points, rates are shown.
        card.locator('svg').wait_for()
        control_plane.wait_for(
            lambda: 'MiB/s' in card.inner_text(), interval=0.2,
            what='a transfer rate on the card')

        before = self.api_progress(page, inst, mig)
        wanted = 100 if before['max_downtime_ms'] != 100 else 60
        # What the operator types and the button under the pointer
        # outlive the page's polls (a button replaced between press and
        # release would swallow the click).
        button = card.get_by_role('button', name='Set max downtime')
        pressed = button.element_handle()
        card.get_by_label('Max downtime (ms)').fill(str(wanted))
        self.wait_for_polls(page)
        self.assertTrue(pressed.evaluate('(b) => b.isConnected'))
        self.assertEqual(str(wanted), card.get_by_label(
            'Max downtime (ms)').input_value())
        button.click()
        page.wait_for_function(
            "() => document.getElementById('result').textContent"
            ".startsWith('Set max downtime: accepted')")
        control_plane.wait_for(
            lambda: (self.api_progress(page, inst, mig) or {}).get(
                'max_downtime_ms') == wanted,
            timeout=30, interval=0.2, what='max downtime %d ms' % wanted)
        control_plane.wait_for(
            lambda: '%d ms' % wanted in card.inner_text(), timeout=30,
            interval=0.2, what='the card to show %d ms' % wanted)

        self.assertEqual(0, before['bandwidth_mib_per_s'])
        card.get_by_label('Bandwidth cap (MiB/s, 0: none)').fill('50')
        card.get_by_role('button', name='Set bandwidth').click()
        page.wait_for_function(
            "() => document.getElementById('result').textContent"
            ".startsWith('Set bandwidth: accepted')")
        control_plane.wait_for(
            lambda: (self.api_progress(page, inst, mig) or {}).get(
                'bandwidth_mib_per_s') == 50,
            timeout=30, interval=0.2, what='a 50 MiB/s cap')
        control_plane.wait_for(
            lambda: '50 MiB/s' in card.inner_text(), timeout=30,
            interval=0.2, what='the card to show the 50 MiB/s cap')

        # The volume migration's card: source and destination backends,
        # its migration_progress on a bar that advances, bytes copied and
        # a rate measured by the page.
        vcard = page.locator('article.card.volume[aria-label="Volume '
                             'migration of %s"]' % volume.uuid)
        vcard.wait_for()
        self.assertIn('volume1@file1#file1 → volume1@file2#file2',
                      vcard.inner_text())
        vbar = vcard.locator('progress')

        def copied():
            value = vbar.get_attribute('value')
            return float(value) if value is not None else -1
        control_plane.wait_for(lambda: copied() >= 0, timeout=30,
                               interval=0.2, what='a first volume figure')
        first = copied()
        control_plane.wait_for(lambda: copied() > first, timeout=60,
                               interval=0.2,
                               what='the volume progress bar to advance')
        control_plane.wait_for(
            lambda: 'MiB/s' in vcard.inner_text(), timeout=30,
            interval=0.2, what='a copy rate on the volume card')
        self.assertIn('of 1.0 GiB', vcard.inner_text())

        # Mid-migration, with both settings showing.
        shot = self.shot(page, 'dashboard-1280.png')
        self.assert_no_overflow(page, 'the dashboard at 1280 px')
        if os.environ.get('MIGRATOR_DASHBOARD_IMAGE'):
            # How doc/source/images/dashboard.png is made.
            shutil.copy(shot, os.environ['MIGRATOR_DASHBOARD_IMAGE'])

        card.get_by_role('button', name='Abort').click()
        page.wait_for_function(
            "() => document.getElementById('result').textContent"
            ".startsWith('Abort: accepted')")
        self.assertEqual('cancelled', self.cp.wait_for_migration(
            inst.uuid, timeout=30).status)
        card.wait_for(state='detached')
        page.locator('#none').wait_for()
        row = page.locator('#recent tr', has_text=inst.uuid).first
        control_plane.wait_for(
            lambda: 'cancelled' in row.inner_text(), interval=0.2,
            what='the recent table to show it cancelled')
        self.assert_no_problems()

    def test_narrow_screen(self):
        inst, mig = self.start()
        self.start_volume_migration()
        page = self.open_page(NARROW)
        self.assert_no_overflow(page, 'the sign-in form at 390 px')
        self.sign_in(page)
        card = page.locator('article.card')
        card.first.wait_for()
        page.locator('article.card.volume').wait_for()
        page.locator('#recent tr').first.wait_for()
        self.shot(page, 'dashboard-390.png')
        self.assert_no_overflow(page, 'the dashboard at 390 px')
        self.assert_no_problems()

"""A log file that cannot be written must not break the code that logs."""
import logging
import logging.handlers
import os
import shutil

import fixtures

from migrator import log_handlers
from migrator.tests import base


class TestNeverRaise(base.TestCase):

    def setUp(self):
        super().setUp()
        # handleError would print each failed record's traceback.
        self.useFixture(fixtures.MonkeyPatch('logging.raiseExceptions',
                                             False))
        self.dir = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'log')
        os.makedirs(self.dir)
        self.path = os.path.join(self.dir, 'service.log')
        self.logger = logging.getLogger('migrator.tests.log-handlers')
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        handler = logging.handlers.WatchedFileHandler(self.path)
        self.logger.addHandler(handler)
        self.addCleanup(handler.close)
        self.addCleanup(self.logger.removeHandler, handler)

    def test_logging_goes_on_when_the_directory_is_gone_and_back(self):
        log_handlers.never_raise(self.logger)
        log_handlers.never_raise(self.logger)   # a second call is harmless
        self.logger.info('before')
        shutil.rmtree(self.dir)
        # Unguarded, both raise FileNotFoundError.
        self.logger.info('lost')
        self.logger.info('lost too')
        os.makedirs(self.dir)
        self.logger.info('after')
        with open(self.path) as handle:
            self.assertEqual('after\n', handle.read())

    def test_unguarded_handler_raises(self):
        # What never_raise is for: Python's own handler raises here.
        self.logger.info('before')
        shutil.rmtree(self.dir)
        self.assertRaises(FileNotFoundError, self.logger.info, 'lost')

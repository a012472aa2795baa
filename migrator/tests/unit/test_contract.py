"""doc/source/rpc-api.rst is generated from the rpcapi classes."""
import os

from migrator.rpcapi import contract
from migrator.tests import base

DOC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'doc',
                   'source', 'rpc-api.rst')


class TestContractDocument(base.TestCase):
    def test_committed_document_is_current(self):
        with open(DOC) as f:
            committed = f.read()
        self.assertEqual(
            contract.render(), committed,
            'doc/source/rpc-api.rst is out of date with migrator/rpcapi/: '
            'regenerate it with "python -m migrator.rpcapi.contract > '
            'doc/source/rpc-api.rst" and commit it.')

    def test_document_names_every_method(self):
        text = contract.render()
        for cls in contract.client_classes():
            self.assertIn('topic ``%s``' % cls.TOPIC, text)
            for method in cls.METHODS:
                self.assertIn('``%s``' % method, text)

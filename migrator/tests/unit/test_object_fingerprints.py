"""An object's fields may not change without a version bump.

When this test fails after you changed an object: bump its VERSION, add a
line to its version history comment, handle the older version in
obj_make_compatible if peers may still send or expect it, and record the
new hash below (the failure message prints it).
"""
from oslo_versionedobjects import fixture

from migrator import objects
from migrator.objects import base as objects_base
from migrator.tests import base

EXPECTED_HASHES = {
    'CellMapping': '1.0-a5483b42f0c548380f72dd64b3ecf2d0',
    'CellMappingList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'ComputeNode': '1.0-18df60b611bdb450a1e4e8efb2c682dc',
    'ComputeNodeList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'Flavor': '1.0-761c0624f48d02765eba8318fe03661d',
    'FlavorList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'HostMapping': '1.0-c81a1fd7e7988e5bcd0221ab73705037',
    'HostMappingList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'Instance': '1.1-0ebe8a43055bcfcf084d70d88901760e',
    'InstanceAction': '1.0-1079872400345efafb2905d8cd7e77c6',
    'InstanceActionEvent': '1.0-c6894ce6833c0339a863ff85d8859831',
    'InstanceActionEventList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'InstanceActionList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'InstanceFault': '1.0-457c488785a6a4909c34e090f035f195',
    'InstanceList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'InstanceMapping': '1.0-ff8bdff38cd31fc7161dc2d75a7b462f',
    'InstanceMappingList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'Migration': '1.0-ed0fc30958dfd0275fc30b616d8d2d19',
    'MigrationList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'MigrationContext': '1.0-cf9ae8ace69a1c6331fc3e5596d4d499',
    'PmemNamespace': '1.0-3c31e8e87946addbaf0dc8ce36353d36',
    'PmemNamespaceList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'Service': '1.0-0d4b3dd737cf7c0370a8f9cc365d3332',
    'ServiceList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'Volume': '1.0-a79861d7b5f0a98bf10fef9e64d979f2',
    'VolumeAttachment': '1.1-9453f4606e17d02daefc7897aab1d553',
    'VolumeAttachmentList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'VolumeList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
}

# Objects nested in other objects, with the version nested.
EXPECTED_TREE = {
    'MigrationContext': {'Flavor': '1.0'},
    'HostMapping': {'CellMapping': '1.0'},
    'Instance': {'Flavor': '1.0'},
    'InstanceMapping': {'CellMapping': '1.0'},
}


class TestObjectVersions(base.TestCase):
    def setUp(self):
        super().setUp()
        objects.register_all()
        self.checker = fixture.ObjectVersionChecker(
            objects_base.MigratorObjectRegistry.obj_classes())

    def test_versions(self):
        expected, actual = self.checker.test_hashes(EXPECTED_HASHES)
        self.assertEqual(expected, actual,
                         'Fields or remotable methods changed: bump the '
                         'object versions and record these hashes.')

    def test_relationships(self):
        expected, actual = self.checker.test_relationships(EXPECTED_TREE)
        self.assertEqual(expected, actual,
                         'A nested object\'s version changed: record it.')

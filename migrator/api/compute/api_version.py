"""The compute API's microversion range: the one place it is set.

Raise ``MAX_VERSION`` only together with the behaviour the new version
promises, and add its entry to doc/source/api/rest_api_version_history.rst.
"""
from migrator.api import microversion

SERVICE_TYPE = 'compute'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'

MIN_VERSION = '2.1'
# Nova's semantics up to 2.104 for the resources served (every version
# is in doc/source/api/rest_api_version_history.rst with its tests);
# 2.105 adds copy_pmem_devices to migrate and resize (seed 003); 2.106 is
# migrator's extended live-migration progress (server-migrations
# ``progress``, seed 001's six figures on os-migrations); 2.107 adds
# the runtime controls of a running live migration (set_max_downtime,
# set_bandwidth, switch_to_post_copy) and their settings in
# ``progress``.
MAX_VERSION = '2.107'

# The date of the v2.1 version document (Nova's).
UPDATED = '2013-07-23T11:33:21Z'
# The date of the legacy v2.0 document (Nova's, as of 2.104).
UPDATED_V20 = '2025-07-04T12:00:00Z'

SURFACE = microversion.Surface(SERVICE_TYPE, MIN_VERSION, MAX_VERSION,
                               legacy_headers=[LEGACY_HEADER])

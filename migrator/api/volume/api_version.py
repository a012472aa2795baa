"""The block storage API's microversion range: the one place it is set.

3.0 - 3.71 have Cinder's semantics for the resources served; 3.72 is
migrator's ``migration_progress`` in volume details (seed 002). Raise
``MAX_VERSION`` only together with what the new version promises, and add
its entry to doc/source/api/rest_api_version_history.rst.
"""
from migrator.api import microversion

SERVICE_TYPE = 'volume'

MIN_VERSION = '3.0'
MAX_VERSION = '3.72'

# The version from which volume details carry migration_progress.
MIGRATION_PROGRESS = '3.72'

UPDATED = '2026-12-01T00:00:00Z'

SURFACE = microversion.Surface(SERVICE_TYPE, MIN_VERSION, MAX_VERSION)

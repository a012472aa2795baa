"""``GET /dashboard/volume-migrations``: the volume migrations in flight
across cells, with their ``migration_progress``, as JSON for the
dashboard.

The block storage API serves the same figures (``migration_progress`` at
volume 3.72) but on another port, which is another origin for the
browser. Rather than open CORS on it, the compute API, which the page
already talks to with the same token, reads the volumes itself
(admin-only policy ``migrator:dashboard:volume_migrations``) and asks
the volume service (or the compute swapping an attached volume) how far
each copy got, as the block storage API and ``/metrics`` do.
"""
from oslo_utils import timeutils
import webob

from migrator.compute import api as compute_api
from migrator.objects import volume as volume_obj
from migrator.policies import dashboard as dashboard_policies
from migrator import policy

PATH = '/dashboard/volume-migrations'
GiB = 1024 ** 3


class VolumeMigrations:
    """The route's handler; the APIs are built on first use."""

    def __init__(self, api=None, volume_api=None):
        self._api = api
        self._volume_api = volume_api

    @property
    def api(self):
        if self._api is None:
            self._api = compute_api.API()
        return self._api

    @property
    def volume_api(self):
        if self._volume_api is None:
            from migrator.volume import api as volume_api
            self._volume_api = volume_api.API()
        return self._volume_api

    def volumes(self, context):
        """The volumes of every cell that answers whose migration has
        not finished, oldest first."""
        answers = self.api._each_cell(
            context, lambda cctxt: list(volume_obj.VolumeList.get_by_filters(
                cctxt, {'migration_status': list(
                    volume_obj.MIGRATION_ACTIVE)},
                sort_key='created_at', sort_dir='asc')))
        return [v for _, rows in answers for v in rows]

    def view(self, context, volume):
        total = volume.size * GiB
        progress = None
        if volume.migration_status == volume_obj.MIGRATION_MIGRATING:
            progress = self.volume_api.migration_progress(context, volume)
        try:
            copied = int(float(progress) * total / 100)
        except (TypeError, ValueError):
            copied = None    # not known yet, or moved by the backend
        return {
            'id': volume.uuid,
            'name': volume.display_name,
            'size': volume.size,
            'status': volume.status,
            'migration_status': volume.migration_status,
            'migration_method': volume.migration_method,
            'source_host': volume.host,
            'destination_host': volume.migration_dest_host,
            'migration_progress': progress,
            'bytes_total': total,
            'bytes_copied': copied,
            'updated_at': (volume.updated_at.isoformat()
                           if volume.updated_at else None),
        }

    def __call__(self, req):
        context = req.context
        policy.authorize(context, dashboard_policies.VOLUME_MIGRATIONS, {})
        body = {'volume_migrations': [self.view(context, v)
                                      for v in self.volumes(context)],
                'read_at': timeutils.utcnow(with_timezone=True).isoformat()}
        resp = webob.Response(json_body=body, status=200,
                              content_type='application/json',
                              charset='utf-8')
        resp.headers['Cache-Control'] = 'no-cache'
        return resp

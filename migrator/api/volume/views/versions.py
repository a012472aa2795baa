"""Version documents in Cinder's shape (openstacksdk and cinderclient
discover the range from them)."""
from migrator.api.volume import api_version


def v3(req):
    return {
        'id': 'v3.0',
        'status': 'CURRENT',
        'version': api_version.MAX_VERSION,
        'min_version': api_version.MIN_VERSION,
        'updated': api_version.UPDATED,
        'links': [{'rel': 'describedby', 'type': 'text/html',
                   'href': 'https://docs.openstack.org/'},
                  {'rel': 'self',
                   'href': req.application_url_for('v3') + '/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.volume+json;'
                                 'version=3'}],
    }

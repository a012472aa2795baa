"""Version documents, in the shape openstacksdk's discovery reads."""
from migrator.api.compute import api_version


def v21(req):
    return {
        'id': 'v2.1',
        'status': 'CURRENT',
        'version': api_version.MAX_VERSION,
        'min_version': api_version.MIN_VERSION,
        'updated': api_version.UPDATED,
        'links': [{'rel': 'self',
                   'href': req.application_url_for('v2.1') + '/'},
                  {'rel': 'describedby', 'type': 'text/html',
                   'href': 'https://docs.openstack.org/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.compute+json;'
                                 'version=2.1'}],
    }

"""Version documents, in the shape openstacksdk's discovery reads."""
from migrator.api.compute import api_version


def v20(req):
    """Nova's legacy v2.0 document: listed, never served beyond it."""
    return {
        'id': 'v2.0',
        'status': 'DEPRECATED',
        'version': '',
        'min_version': '',
        'updated': api_version.UPDATED_V20,
        'links': [{'rel': 'self',
                   'href': req.application_url_for('v2') + '/'},
                  {'rel': 'describedby', 'type': 'text/html',
                   'href': 'https://docs.openstack.org/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.compute+json;'
                                 'version=2'}],
    }


def summary(doc):
    """A version document as GET / lists it: the self link only, no
    media types."""
    doc = dict(doc)
    doc.pop('media-types')
    doc['links'] = [link for link in doc['links'] if link['rel'] == 'self']
    return doc


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

"""``/dashboard``: the operator's live view of migrations, served by the
compute API itself.

Plain ES modules and CSS shipped in this package (``static/``); no build
step, no CDN, no Node at run time. The page itself holds no data and
needs no token; it asks for one (a login form: ``user:project`` in
noauth2 mode, a keystone token otherwise) and calls the API's own JSON
with it, so what it shows and may do is what the API allows that token
(admins: everything). See doc/source/dashboard.rst.
"""
from importlib import resources

import webob

from migrator.api import errors

PATH = '/dashboard'
_TYPES = {
    'index.html': 'text/html',
    'app.js': 'text/javascript',
    'chart.js': 'text/javascript',
    'dom.js': 'text/javascript',
    'format.js': 'text/javascript',
    'volumes.js': 'text/javascript',
    'style.css': 'text/css',
}
ASSET_PATHS = tuple('%s/%s' % (PATH, name) for name in _TYPES
                    if name != 'index.html')
PUBLIC_PATHS = (PATH,) + ASSET_PATHS


def _file(name):
    if name not in _TYPES:
        raise errors.NotFound('The resource could not be found.')
    body = resources.files(__name__).joinpath('static', name).read_bytes()
    resp = webob.Response(body=body, content_type=_TYPES[name],
                          charset='utf-8')
    resp.headers['Cache-Control'] = 'no-cache'
    resp.headers['X-Content-Type-Options'] = 'nosniff'
    return resp


def index(req):
    return _file('index.html')


def asset(req):
    return _file(req.url_vars['asset'])

"""Options of the REST API service ([api])."""
from oslo_config import cfg

api_group = cfg.OptGroup('api', title='REST API options')

api_opts = [
    cfg.StrOpt(
        'auth_strategy', default='keystone',
        choices=[('keystone', 'Validate tokens with keystonemiddleware '
                              'auth_token (configure [keystone_authtoken]).'),
                 ('noauth2', 'No authentication: the token "user:project" '
                             'acts as that user in that project, and the '
                             'user "admin" has the admin role. For the '
                             'embedded default and tests only.')],
        help='How the API authenticates requests.'),
    cfg.HostAddressOpt(
        'bind_host', default='127.0.0.1',
        help='Address the compute API listens on.'),
    cfg.PortOpt(
        'bind_port', default=8774,
        help='Port the compute API listens on.'),
    cfg.PortOpt(
        'volume_bind_port', default=8776,
        help='Port the block storage API listens on.'),
    cfg.IntOpt(
        'hypervisor_uptime_timeout', default=10, min=1,
        help='Seconds the API waits for a compute service to answer '
             'GET /os-hypervisors/{id}/uptime; a compute that does not '
             'answer in time gets Nova\'s 400 "Compute service of HOST is '
             'unavailable at this time."'),
    cfg.IntOpt(
        'max_limit', default=1000, min=1,
        help='Largest number of items a list call returns in one page.'),
    cfg.IntOpt(
        'max_json_depth', default=32, min=2, max=512,
        help='Deepest nesting of arrays and objects a JSON request body '
             'may have; a deeper body is answered 400.'),
    cfg.IntOpt(
        'client_socket_timeout', default=10, min=1,
        help='Seconds the API\'s WSGI server waits for a client to send '
             'the next part of a request (headers or body). A request '
             'whose body does not arrive in time (a slow client, or a '
             'Content-Length larger than the body) is answered 400 and '
             'its connection closed. The body size itself is bounded by '
             '[oslo_middleware] max_request_body_size (413).'),
    cfg.IntOpt(
        'request_header_timeout', default=30, min=1,
        help='Seconds a client may take to send a request line and its '
             'headers in all (client_socket_timeout bounds each read); '
             'a slower client\'s connection is closed, so that clients '
             'trickling bytes cannot hold the API\'s worker threads.'),
    cfg.IntOpt(
        'max_request_header_size', default=65536, min=1024,
        help='Largest request line plus headers, in bytes, the API\'s '
             'WSGI server reads (migrator-api, migrator-all); a longer '
             'URL is answered 414 and longer headers 413 by the server '
             'itself, before the application, with a text body.'),
    cfg.IntOpt(
        'wsgi_threads', default=16, min=1,
        help='Worker threads of the API\'s WSGI server.'),
    cfg.StrOpt(
        'public_endpoint',
        help='Base URL clients use to reach the API, for the links in '
             'responses. Defaults to the request\'s own host URL.'),
]


def register_opts(conf):
    conf.register_group(api_group)
    conf.register_opts(api_opts, group=api_group)


def list_opts():
    return {api_group: api_opts}

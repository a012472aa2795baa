"""Microversions: which version of an API surface a request asks for.

A surface (compute, volume) describes itself with a ``Surface``: its
service type for the ``OpenStack-API-Version`` header, its legacy header,
and the range it serves. ``Surface.from_request`` returns the requested
``Version`` (the minimum when none is asked for, the maximum for
``latest``) or raises the error to answer: 400 for a malformed version,
406 for one outside the range.
"""
import functools

import microversion_parse

from migrator.api import errors

Version = microversion_parse.Version
parse = microversion_parse.parse_version_string


def version(value):
    """'2.53' -> Version(2, 53); Versions and None pass through."""
    if value is None or isinstance(value, Version):
        return value
    return _parsed(value)


@functools.lru_cache(maxsize=256)
def _parsed(value):
    # Views ask req.is_version('2.59') several times for each item of a
    # list (a page of 1,000 migrations): parse each literal once.
    return parse(value)


class Surface:

    def __init__(self, service_type, min_version, max_version,
                 legacy_headers=()):
        self.service_type = service_type
        self.min_version = parse(min_version)
        self.max_version = parse(max_version)
        self.legacy_headers = list(legacy_headers)

    def from_request(self, req):
        requested = microversion_parse.get_version(
            req.headers, service_type=self.service_type,
            legacy_headers=self.legacy_headers)
        if requested is None:
            found = self.min_version
        elif requested.strip().lower() == 'latest':
            found = self.max_version
        else:
            try:
                found = parse(requested.strip())
            except TypeError:
                raise errors.BadRequest(
                    'API Version String %s is of invalid format. Must be of '
                    'format MajorNum.MinorNum.' % requested)
        if not self.min_version <= found <= self.max_version:
            raise errors.NotAcceptable(
                'Version %s is not supported by the API. Minimum is %s and '
                'maximum is %s.' % (found, self.min_version,
                                    self.max_version))
        found = Version(found.major, found.minor)
        found.min_version = self.min_version
        found.max_version = self.max_version
        return found

    def response_headers(self, found):
        headers = [('OpenStack-API-Version',
                    '%s %s' % (self.service_type, found)),
                   ('Vary', 'OpenStack-API-Version')]
        for legacy in self.legacy_headers:
            headers.append((legacy, str(found)))
            headers.append(('Vary', legacy))
        return headers


def in_range(found, min_version=None, max_version=None):
    """Is ``found`` within [min_version, max_version] (either open)?"""
    low = version(min_version)
    high = version(max_version)
    if low is not None and found < low:
        return False
    if high is not None and found > high:
        return False
    return True

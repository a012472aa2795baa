"""Microversions: which version of an API surface a request asks for.

A surface (compute, volume) describes itself with a ``Surface``: its
service type for the ``OpenStack-API-Version`` header, its legacy header,
and the range it serves. ``Surface.from_request`` returns the requested
``Version`` (the minimum when none is asked for, the maximum for
``latest``) or raises the error to answer: 400 for a malformed version,
406 for one outside the range.

The header is read strictly: ``OpenStack-API-Version`` is a
comma-separated list of ``<service-type> <version>`` entries. An entry
for another service is ignored (the header may carry several services);
an empty header, an entry that is not two words (``compute``), two
entries for this service, or a version that is not ``Major.Minor`` in
decimal without leading zeros (``2.034``) is a 400. The legacy header
(``X-OpenStack-Nova-API-Version``) holds one version, read the same way.
"""
import functools
import re

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
        requested = self.requested(req.headers)
        if requested is None:
            found = self.min_version
        elif requested.lower() == 'latest':
            found = self.max_version
        else:
            found = strict_parse(requested)
        if not self.min_version <= found <= self.max_version:
            raise errors.NotAcceptable(
                'Version %s is not supported by the API. Minimum is %s and '
                'maximum is %s.' % (found, self.min_version,
                                    self.max_version))
        found = Version(found.major, found.minor)
        found.min_version = self.min_version
        found.max_version = self.max_version
        return found

    def requested(self, headers):
        """The version string this surface is asked for, or None."""
        header = headers.get(STANDARD_HEADER)
        if header is not None:
            mine = []
            for entry in header.split(','):
                words = entry.split()
                if len(words) != 2:
                    raise errors.BadRequest(
                        'Invalid %s header %r: expected "%s <version>".'
                        % (STANDARD_HEADER, header, self.service_type))
                if words[0].lower() == self.service_type:
                    mine.append(words[1])
            if len(mine) > 1:
                raise errors.BadRequest(
                    'Invalid %s header %r: more than one version for %s.'
                    % (STANDARD_HEADER, header, self.service_type))
            if mine:
                return mine[0]
        for legacy in self.legacy_headers:
            value = headers.get(legacy)
            if value is not None:
                return value.strip()
        return None

    def response_headers(self, found):
        headers = [('OpenStack-API-Version',
                    '%s %s' % (self.service_type, found)),
                   ('Vary', 'OpenStack-API-Version')]
        for legacy in self.legacy_headers:
            headers.append((legacy, str(found)))
            headers.append(('Vary', legacy))
        return headers


STANDARD_HEADER = 'OpenStack-API-Version'
_STRICT = re.compile(r'([1-9][0-9]{0,8})\.([1-9][0-9]{0,8}|0)')


def strict_parse(value):
    """'2.34' -> Version(2, 34); 400 for anything else (leading zeros,
    signs, spaces, more than nine digits)."""
    match = _STRICT.fullmatch(value or '')
    if match is None:
        raise errors.BadRequest(
            'API Version String %s is of invalid format. Must be of '
            'format MajorNum.MinorNum.' % value)
    return Version(int(match.group(1)), int(match.group(2)))


def in_range(found, min_version=None, max_version=None):
    """Is ``found`` within [min_version, max_version] (either open)?"""
    low = version(min_version)
    high = version(max_version)
    if low is not None and found < low:
        return False
    if high is not None and found > high:
        return False
    return True

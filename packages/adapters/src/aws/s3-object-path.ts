import { AdapterValidationError } from '../errors/adapter-error.ts';

/**
 * SigV4's `UriEncode` of one path segment: every byte but the unreserved `A–Z a–z 0–9 - . _ ~` percent-encoded with
 * upper-case hex (AWS General Reference, "Create a canonical request", and RFC 3986 §2.3). `encodeURIComponent` leaves
 * `!'()*` as they are, so they are encoded here: the path sent is then exactly the path signed.
 */
export function uriEncode(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const isDotSegment = (segment: string) => segment === '.' || segment === '..';

/**
 * The URL path of an object key, each segment encoded and the slashes kept (Amazon S3 API Reference, "Signature
 * Calculations for the Authorization Header": the key's `/` is not encoded).
 *
 * S3 keys are byte strings, and S3 does not resolve `.` or `..` in them, but every WHATWG URL (fetch's, in Node and in
 * workerd) removes a segment that is `.` or `..`, even as `%2E%2E` (URL Standard, "single-dot URL path segment"). A
 * slash next to such a segment is therefore sent as `%2F`: S3 decodes it back to `/`, so `a/../b` is stored and read
 * as `a/../b`, not as `b`. A key that is only `.` or `..` has no neighbour to join and cannot be sent at all.
 */
export function objectKeyPath(key: string): string {
  const segments = key.split('/');
  if (key === '' || (segments.length === 1 && isDotSegment(key))) {
    throw new AdapterValidationError(
      'invalid_object_key',
      `object key ${JSON.stringify(key)} cannot be sent in a URL: fetch drops a path segment that is only "." or ".." (and an empty key names the bucket); use a key with a name in it`,
      { key },
    );
  }
  return segments
    .map((segment, index) => {
      const joinsNext = index < segments.length - 1 && (isDotSegment(segment) || isDotSegment(segments[index + 1]));
      return uriEncode(segment) + (index === segments.length - 1 ? '' : joinsNext ? '%2F' : '/');
    })
    .join('');
}

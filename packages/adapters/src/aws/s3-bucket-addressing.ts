/** A DNS label: letters, digits and hyphens, not starting or ending with a hyphen (`@smithy/core`, `isValidHostLabel`). */
const HOST_LABEL = /^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;

/**
 * Whether a bucket can be addressed virtual-hosted (`bucket.endpoint`), by the AWS SDK's rule
 * (`aws.isVirtualHostableS3Bucket` without sub-domains in the S3 endpoint rules): one DNS label of 3–63 lower-case
 * characters, not an IP address. A bucket with dots fails it because S3's wildcard TLS certificate
 * (`*.s3.amazonaws.com`) matches one label only (Amazon S3 User Guide, "Virtual hosting of buckets": "Limitations");
 * the SDK, and this adapter, then address it path-style.
 */
export function isVirtualHostableBucket(bucket: string): boolean {
  return HOST_LABEL.test(bucket) && bucket.length >= 3 && bucket === bucket.toLowerCase() && !IPV4.test(bucket);
}

/** Whether an endpoint's host is an IP address, which has no sub-domains to put a bucket in. */
export function isIpHost(hostname: string): boolean {
  return IPV4.test(hostname) || hostname.startsWith('[');
}

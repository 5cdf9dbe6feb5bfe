import { SIGNATURE_HEADER, type SignatureHeaders, TIMESTAMP_HEADER } from './request-signature.ts';

/**
 * SageMaker forwards none of a caller's headers to the container except `X-Amzn-SageMaker-Custom-Attributes`, an
 * opaque value of at most 1024 visible ASCII characters (SageMaker Runtime API Reference, InvokeEndpoint,
 * `CustomAttributes`). The worker's HMAC signature travels there as `name=value` pairs joined by `;`:
 * `x-stipple-timestamp=1800000000;x-stipple-signature=v1=<hex>`. `verifyRequest` reads it when the two headers are
 * absent, so the worker needs no SageMaker-specific code.
 */
export const CUSTOM_ATTRIBUTES_HEADER = 'x-amzn-sagemaker-custom-attributes';

/** The signature headers as a custom-attributes value. */
export function formatSignatureAttributes(headers: SignatureHeaders): string {
  return `${TIMESTAMP_HEADER}=${headers[TIMESTAMP_HEADER]};${SIGNATURE_HEADER}=${headers[SIGNATURE_HEADER]}`;
}

/** The signature headers read back from a custom-attributes value (what the container side does); `{}` if absent. */
export function parseSignatureAttributes(value: string | null | undefined): Partial<SignatureHeaders> {
  const pairs = (value ?? '').split(';').map((pair) => {
    const equals = pair.indexOf('=');
    return [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()] as const;
  });
  const wanted = new Set<string>([TIMESTAMP_HEADER, SIGNATURE_HEADER]);
  return Object.fromEntries(pairs.filter(([name]) => wanted.has(name)));
}

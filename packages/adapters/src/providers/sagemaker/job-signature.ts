import { formatSignatureAttributes, signRequest } from '@stipple/jobs';
import type { Clock } from '../../spec/clock.ts';

/**
 * The worker's HMAC signature of a job body, as custom attributes: SageMaker POSTs the body to the container's
 * `/invocations`, so that is the path signed.
 */
export async function signedAttributes(body: string, secret: string, clock: Clock): Promise<string> {
  const timestamp = Math.floor(clock.now() / 1000);
  return formatSignatureAttributes(
    await signRequest({ secret, method: 'POST', path: '/invocations', body, timestamp }),
  );
}

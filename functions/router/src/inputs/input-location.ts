import type { S3Location } from '@stipple/adapters';
import type { Env } from '../env.ts';
import { DEFAULT_INPUT_PREFIX } from './input-image-limits.ts';

/**
 * Where a tenant's input lives: `{S3_INPUT_PREFIX}/{tenant}/{upload id}` in the result bucket. The tenant comes from
 * the authenticated caller only, so an id of another tenant's names a key that does not exist.
 */
export function inputLocation(env: Env, tenantId: string, uploadId: string): S3Location {
  return { bucket: env.S3_BUCKET, key: `${env.S3_INPUT_PREFIX || DEFAULT_INPUT_PREFIX}/${tenantId}/${uploadId}` };
}

/** The upload id an input's key ends with (`inputLocation`'s last segment). */
export function uploadIdOfKey(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

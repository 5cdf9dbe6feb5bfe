import { AdapterValidationError } from '../errors/adapter-error.ts';

/** How long a presigned URL stays valid unless asked otherwise: one hour. */
export const PRESIGN_TTL_SECONDS = 3_600;
/**
 * The longest a SigV4 presigned URL may live: 7 days (Amazon S3 API Reference, "Authenticating Requests: Using Query
 * Parameters (AWS Signature Version 4)", `X-Amz-Expires`). S3 refuses longer ones, so we never mint them.
 */
export const MAX_PRESIGN_TTL_SECONDS = 604_800;

/** The expiry to sign with: the default when undefined, else an integer of 1 s to 7 days. */
export function presignExpirySeconds(requested: number | undefined): number {
  if (requested === undefined) return PRESIGN_TTL_SECONDS;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_PRESIGN_TTL_SECONDS) {
    throw new AdapterValidationError(
      'invalid_presign_expiry',
      `expiresInSeconds ${requested} is out of range; use an integer 1–${MAX_PRESIGN_TTL_SECONDS} (at most 7 days)`,
      { expiresInSeconds: requested },
    );
  }
  return requested;
}

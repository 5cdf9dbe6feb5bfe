import { z } from 'zod';

/** An AWS (or S3-compatible store's) access key, as SigV4 signs with it. */
export const awsCredentialsSchema = z.strictObject({
  accessKeyId: z.string().min(1, { error: 'credentials.accessKeyId is empty; use the access key id' }),
  secretAccessKey: z.string().min(1, { error: 'credentials.secretAccessKey is empty; use the secret access key' }),
  /** For temporary credentials (STS). */
  sessionToken: z.string().optional(),
});

export type AwsCredentials = z.infer<typeof awsCredentialsSchema>;

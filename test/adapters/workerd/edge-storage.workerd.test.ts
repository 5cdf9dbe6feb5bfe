import { EdgeStorage } from '@stipple/adapters';
import { describe, expect, inject, it } from 'vitest';
import { BUCKET, S3_CREDENTIALS } from './fixture.ts';

describe('in workerd, EdgeStorage', () => {
  const storage = () => new EdgeStorage({ endpoint: inject('s3Endpoint'), credentials: S3_CREDENTIALS });

  it('stages an object and serves it through a presigned URL with overridden headers', async () => {
    const location = { bucket: BUCKET, key: 'workerd/staged/job.json' };
    await storage().putObject(location, '{"jobId":"edge-1"}', 'application/json');
    expect(await storage().getJson(location)).toEqual({ jobId: 'edge-1' });
    const url = await storage().presignGet(location, {
      expiresInSeconds: 60,
      responseContentDisposition: 'attachment; filename="job.json"',
    });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="job.json"');
    expect(await response.json()).toEqual({ jobId: 'edge-1' });
  });

  it('reads an absent manifest as undefined', async () => {
    const job = {
      jobId: 'none',
      tenantId: 'edge',
      output: { bucket: BUCKET, keyPrefix: 'workerd', format: 'png' as const },
    };
    expect(await storage().readManifest(job)).toBeUndefined();
  });
});

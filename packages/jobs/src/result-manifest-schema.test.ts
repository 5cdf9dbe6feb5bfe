import { describe, expect, it } from 'vitest';
import type { Job } from './job-schema.ts';
import { manifestKey, resultKey, resultManifestSchema } from './result-manifest-schema.ts';

function job(keyPrefix: string, format: Job['output']['format'] = 'png') {
  return { jobId: 'job_01', tenantId: 'tenant-a', output: { bucket: 'results', keyPrefix, format } };
}

describe('resultKey and manifestKey', () => {
  it('build keys from the prefix, tenant and job', () => {
    expect(resultKey(job('images'), 0)).toBe('images/tenant-a/job_01/0.png');
    expect(resultKey(job('images', 'jpeg'), 3)).toBe('images/tenant-a/job_01/3.jpg');
    expect(resultKey(job('images', 'webp'), 1)).toBe('images/tenant-a/job_01/1.webp');
    expect(manifestKey(job('images'))).toBe('images/tenant-a/job_01/result.json');
  });

  it('add no double slashes for an empty prefix or one with a trailing slash', () => {
    expect(resultKey(job(''), 0)).toBe('tenant-a/job_01/0.png');
    expect(manifestKey(job(''))).toBe('tenant-a/job_01/result.json');
    expect(manifestKey(job('a/b/'))).toBe('a/b/tenant-a/job_01/result.json');
  });
});

describe('resultManifestSchema', () => {
  it('accepts what a worker writes and rejects a wrong status', () => {
    const manifest = {
      jobId: 'job_01',
      tenantId: 'tenant-a',
      modelId: 'sd-turbo',
      status: 'succeeded',
      outputs: [{ key: 'images/tenant-a/job_01/0.png', contentType: 'image/png', seed: 42, bytes: 1234 }],
      records: [{ step: 1 }],
      timings: { queuedMs: 5, totalMs: 900 },
      createdAt: '2030-01-01T00:00:00.000Z',
    };
    expect(resultManifestSchema.parse(manifest)).toEqual(manifest);
    expect(resultManifestSchema.safeParse({ ...manifest, status: 'failed' }).success).toBe(false);
  });
});

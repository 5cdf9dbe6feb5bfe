import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { type SecretsManagerStandIn, startSecretsManagerStandIn } from '@stipple/test-support/secrets-manager-stand-in';
import { startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, errorOf, invoke, job, manifestOf, SECRET } from './worker-test-jobs.ts';

/** The secret only Secrets Manager holds; the worker's environment never sees it. */
const STORED_SECRET = 'secret-held-by-secrets-manager-0123456789';

/** Why a worker process did not start (startWorker's error: its exit status and everything it printed). */
async function startFailure(env: Record<string, string>): Promise<string> {
  const worker = await startWorker(env).catch((error: Error) => error);
  if (!(worker instanceof Error)) {
    await worker.stop();
    throw new Error('the worker started');
  }
  return worker.message;
}

describe('the gpu-worker process with WORKER_SECRET_ARN', () => {
  let s3: S3Server;
  let secretsManager: SecretsManagerStandIn;
  let worker: WorkerProcess;
  let arn: string;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    // The worker's one AWS identity (s3.env's key) also signs its call to Secrets Manager.
    secretsManager = await startSecretsManagerStandIn({
      region: 'eu-west-1',
      credentials: S3RVER_CREDENTIALS,
      secrets: { 'stipple/test/worker-secret': { string: STORED_SECRET } },
    });
    arn = secretsManager.arnOf('stipple/test/worker-secret');
    worker = await startWorker({ ...s3.env, ...secretsManager.env, WORKER_SECRET: '', WORKER_SECRET_ARN: arn });
  });
  afterAll(async () => {
    await worker?.stop();
    await secretsManager?.stop();
    await s3?.stop();
  });

  it('reads its secret from Secrets Manager once, at start, and never prints it', () => {
    expect(secretsManager.requests).toEqual([
      { target: 'secretsmanager.GetSecretValue', secretId: arn, signature: 'valid' },
    ]);
    expect(worker.output()).toContain(`"event":"worker_secret_loaded","arn":"${arn}"`);
    expect(worker.output()).not.toContain(STORED_SECRET);
  });

  it('accepts a job signed with the stored secret and refuses one signed with another', async () => {
    const accepted = await invoke(worker, job('from-secrets-manager'), STORED_SECRET);
    expect(accepted.status).toBe(200);
    expect((await manifestOf(accepted)).outputs).toHaveLength(2);
    const refused = await invoke(worker, job('signed-otherwise'), SECRET);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).code).toBe('unauthorized');
  });

  it('does not start when the secret cannot be read, naming the ARN and the reason', async () => {
    const message = await startFailure({
      ...s3.env,
      ...secretsManager.env,
      WORKER_SECRET: '',
      WORKER_SECRET_ARN: secretsManager.missingArn,
    });
    expect(message).toMatch(/^the worker exited with [1-9]/);
    expect(message).toContain(
      `WORKER_SECRET_ARN ${secretsManager.missingArn}: Secrets Manager GetSecretValue failed: ResourceNotFoundException`,
    );
    expect(message).not.toContain('"event":"listening"');
  });

  it('does not start with both WORKER_SECRET and WORKER_SECRET_ARN', async () => {
    const message = await startFailure({ ...s3.env, WORKER_SECRET: SECRET, WORKER_SECRET_ARN: arn });
    expect(message).toMatch(/^the worker exited with [1-9]/);
    expect(message).toContain('WORKER_SECRET and WORKER_SECRET_ARN are both set');
  });
});

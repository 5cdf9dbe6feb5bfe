/**
 * Runs in Node before the workerd tests: the real servers they talk to over loopback (s3rver, a gpu-worker process,
 * the SageMaker contract server), whose URLs reach the tests through `inject`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startS3Server } from '@stipple/test-support/s3-server';
import { startSageMakerContractServer, stippleEndpoints } from '@stipple/test-support/sagemaker-contract-server';
import { startWorker } from '@stipple/test-support/worker-process';
import type { TestProject } from 'vitest/node';
import { AWS_CREDENTIALS, BUCKET, REGION, S3_CREDENTIALS, WORKER_SECRET } from './fixture.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startS3Server({ buckets: [BUCKET] });
  const worker = await startWorker({ ...s3.env, WORKER_SECRET });
  const sageMaker = await startSageMakerContractServer({
    region: REGION,
    credentials: AWS_CREDENTIALS,
    s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS },
    endpoints: stippleEndpoints(worker.url, BUCKET),
  });
  const settle = createServer((_, response) => {
    sageMaker.asyncIdle().then(() => response.end('idle'));
  });
  await new Promise<void>((done) => settle.listen(0, '127.0.0.1', done));
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('workerUrl', worker.url);
  project.provide('sageMakerUrl', sageMaker.url);
  project.provide('settleUrl', `http://127.0.0.1:${(settle.address() as AddressInfo).port}/`);
  return async () => {
    settle.closeAllConnections();
    settle.close();
    await sageMaker.stop();
    await worker.stop();
    await s3.stop();
  };
}

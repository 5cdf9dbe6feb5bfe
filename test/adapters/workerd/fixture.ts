/** What the workerd tests and their Node global setup agree on: names and the test-only secrets. */
export const WORKER_SECRET = 'workerd-test-secret-0123';
export const BUCKET = 'results';
export const REGION = 'eu-west-1';
/** The example key pair of AWS's documentation; the SageMaker contract server verifies signatures with it. */
export const AWS_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
/** s3rver's one key pair (@stipple/test-support/s3-server). */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

declare module 'vitest' {
  export interface ProvidedContext {
    /** The s3rver the worker writes results to. */
    s3Endpoint: string;
    /** A real gpu-worker process. */
    workerUrl: string;
    /** The SageMaker contract server in front of that worker. */
    sageMakerUrl: string;
    /** GET resolves once the contract server has answered every async request (see `settle` in the suite). */
    settleUrl: string;
  }
}

import { describe, expect, it } from 'vitest';
import { readWorkerConfig } from './worker-config.ts';

const SECRET = { WORKER_SECRET: 'a-worker-secret-of-some-length' };

describe('readWorkerConfig', () => {
  it('listens where SageMaker says (SAGEMAKER_BIND_TO_PORT), else PORT, else 8080; empty counts as unset', () => {
    expect(readWorkerConfig({ ...SECRET }).port).toBe(8080);
    expect(readWorkerConfig({ ...SECRET, PORT: '' }).port).toBe(8080);
    expect(readWorkerConfig({ ...SECRET, PORT: '9000' }).port).toBe(9000);
    expect(readWorkerConfig({ ...SECRET, PORT: '9000', SAGEMAKER_BIND_TO_PORT: '8081' }).port).toBe(8081);
    expect(readWorkerConfig({ ...SECRET, PORT: '9000', SAGEMAKER_BIND_TO_PORT: ' ' }).port).toBe(9000);
  });

  it('names the variable and the value when a port is not a port', () => {
    expect(() => readWorkerConfig({ ...SECRET, SAGEMAKER_BIND_TO_PORT: '80a' })).toThrow(
      'SAGEMAKER_BIND_TO_PORT is "80a"; use an integer from 0 to 65535',
    );
    expect(() => readWorkerConfig({ ...SECRET, PORT: '70000' })).toThrow('PORT is "70000"');
  });

  it('runs inference in its own thread unless INFERENCE_THREAD=false', () => {
    expect(readWorkerConfig({ ...SECRET }).inferenceThread).toBe(true);
    expect(readWorkerConfig({ ...SECRET, INFERENCE_THREAD: 'false' }).inferenceThread).toBe(false);
    expect(() => readWorkerConfig({ ...SECRET, INFERENCE_THREAD: 'no' })).toThrow('INFERENCE_THREAD is "no"');
  });
});

import { readS3Config } from '../functions/gpu-worker/src/s3-config.ts';
import { readWorkerConfig } from '../functions/gpu-worker/src/worker-config.ts';

type Env = Record<string, string | undefined>;

/** The variables the gpu-worker's own config readers look at, found by running them on a recording environment. */
export function variablesTheWorkerReads(): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy<Env>(
    {},
    {
      get(_target, name) {
        if (typeof name !== 'string') return undefined;
        read.add(name);
        // The one setting without a default, given as a deployment gives it: the secret's ARN. The worker reads
        // WORKER_SECRET too, to refuse both at once.
        return name === 'WORKER_SECRET_ARN'
          ? 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:recording-AbC123'
          : undefined;
      },
    },
  );
  readWorkerConfig(recording);
  readS3Config(recording);
  return read;
}

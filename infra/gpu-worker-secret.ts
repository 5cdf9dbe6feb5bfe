import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/**
 * The gpu-worker's HMAC secret (SST's `WorkerSecret`) in AWS Secrets Manager. The SageMaker container gets only its
 * ARN (`WORKER_SECRET_ARN`) and reads the value at start-up with its execution role: a model's environment is plain
 * text to anyone in the account who may call DescribeModel, a secret's value only to who may GetSecretValue on it.
 * Encrypted with the account's `aws/secretsmanager` key, which Secrets Manager uses on the caller's behalf, so readers
 * need no KMS grant of their own (Secrets Manager User Guide, "Secret encryption and decryption").
 */
export function createGpuWorkerSecret(args: { value: pulumi.Input<string>; forceDelete: boolean }) {
  const secret = new aws.secretsmanager.Secret('GpuWorkerSecret', {
    description: 'Stipple: the HMAC secret the gpu-worker authorises jobs with (its WORKER_SECRET_ARN)',
    // A development stage's secret goes at once on `sst remove`; otherwise Secrets Manager keeps it 30 days.
    recoveryWindowInDays: args.forceDelete ? 0 : 30,
  });
  const version = new aws.secretsmanager.SecretVersion('GpuWorkerSecretVersion', {
    secretId: secret.id,
    secretString: args.value,
  });
  return { secret, version };
}

export type GpuWorkerSecret = ReturnType<typeof createGpuWorkerSecret>;

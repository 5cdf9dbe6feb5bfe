import { describe, expect, it } from 'vitest';
import { deployUnderMocks } from './support/deploy-stack.ts';
import { type RecordedResource, resolved, theResource } from './support/pulumi-mocks.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

interface Grant {
  action: string;
  resource: string;
}

/** Every (action, resource) pair a policy allows. */
function grants(policy: RecordedResource): Grant[] {
  const document = JSON.parse(policy.inputs.policy);
  return document.Statement.flatMap((statement: Statement) => {
    expect(statement.Effect).toBe('Allow');
    return [statement.Action]
      .flat()
      .flatMap((action: string) => [statement.Resource].flat().map((resource: string) => ({ action, resource })));
  });
}

const resourcesOf = (list: Grant[], action: string) =>
  list
    .filter((grant) => grant.action === action)
    .map((grant) => grant.resource)
    .sort();

const EXTERNAL_WORKERS_ONLY = {
  STIPPLE_SAGEMAKER: 'off',
  STIPPLE_HTTP_PROVIDERS: JSON.stringify([{ id: 'gpu', url: 'https://gpu.example.com' }]),
};

async function deployed(env: Record<string, string> = {}) {
  const stack = await deployUnderMocks({ STIPPLE_KEY_PREFIX: 'images', ...env });
  const bucketArn = await resolved(stack.storage.bucket.arn);
  const under = (prefix: string) => `${bucketArn}/${prefix}/*`;
  const policy = (type: string, name: string) => grants(theResource(stack.resources, type, name));
  return { ...stack, bucketArn, under, policy };
}

describe('infra IAM', () => {
  it('scopes every S3 grant to the result bucket and its prefixes, with no wildcard actions', async () => {
    const { resources, storage, bucketArn, under } = await deployed();
    const prefixes = Object.values(storage.layout).map(under);
    const policies = resources.filter((resource) => /^aws:iam\/(userPolicy|rolePolicy):/.test(resource.type));
    expect(policies.length).toBe(2);
    for (const grant of policies.flatMap(grants)) {
      expect(grant.action).not.toMatch(/\*/);
      if (!grant.action.startsWith('s3:')) continue;
      if (grant.action === 's3:ListBucket') expect(grant.resource).toBe(bucketArn);
      else expect(prefixes).toContain(grant.resource);
    }
  });

  it('lets the edge key read the outputs, store and read inputs, and nothing more without SageMaker', async () => {
    const { policy, bucketArn, under } = await deployed(EXTERNAL_WORKERS_ONLY);
    const edge = policy('aws:iam/userPolicy:UserPolicy', 'EdgeUserPolicy');
    expect([...new Set(edge.map((grant) => grant.action))].sort()).toEqual([
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
    ]);
    expect(resourcesOf(edge, 's3:GetObject')).toEqual([under('images'), under('inputs')]);
    expect(resourcesOf(edge, 's3:PutObject')).toEqual([under('inputs')]);
    expect(resourcesOf(edge, 's3:ListBucket')).toEqual([bucketArn]);
  });

  it('lets the worker write only its outputs and SageMaker only its responses', async () => {
    const { policy, storage, under } = await deployed();
    const role = policy('aws:iam/rolePolicy:RolePolicy', 'GpuWorkerRolePolicy');
    const { layout } = storage;
    expect(resourcesOf(role, 's3:PutObject')).toEqual(
      [under(layout.outputs), under(layout.sagemakerFailures), under(layout.sagemakerOutputs)].sort(),
    );
    expect(resourcesOf(role, 's3:GetObject')).toEqual(
      [under(layout.outputs), under(layout.inputs), under(layout.models), under(layout.sagemakerInputs)].sort(),
    );
  });

  it('lets the edge key, with SageMaker, also stage jobs, read responses and call its one endpoint', async () => {
    const { policy, gpu, storage, under } = await deployed();
    const { layout } = storage;
    const edge = policy('aws:iam/userPolicy:UserPolicy', 'EdgeUserPolicy');
    expect(resourcesOf(edge, 's3:PutObject')).toEqual([under(layout.inputs), under(layout.sagemakerInputs)].sort());
    expect(resourcesOf(edge, 's3:GetObject')).toEqual(
      [
        under(layout.outputs),
        under(layout.inputs),
        under(layout.sagemakerFailures),
        under(layout.sagemakerOutputs),
      ].sort(),
    );
    const endpointArn = await resolved(gpu!.endpoint.arn);
    const sagemaker = edge.filter((grant) => grant.action.startsWith('sagemaker:'));
    expect(sagemaker.map((grant) => grant.action).sort()).toEqual([
      'sagemaker:DescribeEndpoint',
      'sagemaker:InvokeEndpointAsync',
    ]);
    for (const grant of sagemaker) expect(grant.resource).toBe(endpointArn);
  });

  it('lets the worker role read its one secret, and nobody else read any', async () => {
    const { policy, gpu } = await deployed();
    const secretArn = await resolved(gpu!.workerSecret.secret.arn);
    const role = policy('aws:iam/rolePolicy:RolePolicy', 'GpuWorkerRolePolicy');
    expect(role.filter((grant) => grant.action.startsWith('secretsmanager:'))).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: secretArn },
    ]);
    const edge = policy('aws:iam/userPolicy:UserPolicy', 'EdgeUserPolicy');
    expect(edge.filter((grant) => grant.action.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('lets only SageMaker assume the worker role', async () => {
    const { resources } = await deployed();
    const trust = JSON.parse(theResource(resources, 'aws:iam/role:Role').inputs.assumeRolePolicy);
    expect(trust.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GPU_WORKER_INFERENCE_AMI } from '../../infra/gpu-inference-ami.ts';
import { imageCudaVersion } from '../gpu-worker-image-cuda.ts';
import { deployUnderMocks } from '../infra/support/deploy-stack.ts';
import { theResource } from '../infra/support/pulumi-mocks.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(ROOT, 'docs/DEPLOY.md'), 'utf8').replace(/\s+/g, ' ');

/** The text of the section whose heading is `heading`, up to the next heading of any level. */
function section(heading: string): string {
  const start = doc.indexOf(`${heading} `);
  if (start === -1) throw new Error(`docs/DEPLOY.md has no section ${heading}`);
  const end = doc.indexOf(' #', start + heading.length);
  return doc.slice(start, end === -1 ? undefined : end);
}

/** How DEPLOY.md names each AWS service whose resources the stack creates (the provider's module). */
const SERVICE_NAMES: Record<string, string> = {
  s3: 'S3',
  iam: 'IAM',
  ecr: 'ECR',
  secretsmanager: 'Secrets Manager',
  sagemaker: 'SageMaker',
  appautoscaling: 'Application Auto Scaling',
  cloudwatch: 'CloudWatch',
};

/** SST's `removal: "retain"` list: the resource types it keeps on delete (its platform, `src/auto/run.ts`). */
function typesSstRetains(): string[] {
  const source = readFileSync(join(ROOT, '.sst/platform/src/auto/run.ts'), 'utf8');
  const list = source.slice(source.indexOf('$app.removal === "retain" &&'), source.indexOf('].includes(args.type)'));
  return [...list.matchAll(/"([a-z0-9-]+:[^"]+)"/g)].map((match) => match[1]);
}

describe('docs/DEPLOY.md', () => {
  it('asks for permissions in every AWS service the stack creates resources in', async () => {
    const { resources } = await deployUnderMocks();
    const services = new Set(
      resources.filter((r) => r.type.startsWith('aws:')).map((r) => r.type.split(':')[1].split('/')[0]),
    );
    expect(services).toContain('secretsmanager');
    const prerequisites = section('## Prerequisites');
    for (const service of services) expect(prerequisites, service).toContain(SERVICE_NAMES[service]);
  });

  it('asks for the instance quota of a blue/green update: the ceiling plus the new configuration’s instances', async () => {
    const { resources } = await deployUnderMocks();
    const [variant] = theResource(resources, 'aws:sagemaker/endpointConfiguration:EndpointConfiguration').inputs
      .productionVariants;
    expect(variant.initialInstanceCount).toBe(1);
    expect(section('## Prerequisites')).toMatch(/`STIPPLE_SAGEMAKER_MAX_INSTANCES` \+ 1\. The quota is per account/);
  });

  it('counts the CloudWatch alarms it costs: its own, and two per target-tracking policy', async () => {
    const { resources } = await deployUnderMocks();
    const own = resources.filter((r) => r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm').length;
    const tracking = resources.filter(
      (r) => r.type === 'aws:appautoscaling/policy:Policy' && r.inputs.policyType === 'TargetTrackingScaling',
    );
    // Target tracking makes a scale-out and a scale-in alarm, one fewer with scale-in disabled.
    const made = tracking.map((p) => (p.inputs.targetTrackingScalingPolicyConfiguration.disableScaleIn ? 1 : 2));
    expect(own + made.reduce((sum, count) => sum + count, 0)).toBe(3);
    const costs = section('## Cost and cold starts (rough, us-east-1 list prices)');
    expect(costs).toContain('three CloudWatch alarms at $0.10 a month each');
    expect(costs).toContain('Secrets Manager $0.40 a month');
    expect(costs).toMatch(/changes the image or the worker secret .* one more instance for its blue\/green swap/);
  });

  it('says that SST retains a production stage’s bucket and not its image repository', async () => {
    const { resources } = await deployUnderMocks();
    const retained = typesSstRetains();
    expect(retained).toContain(theResource(resources, 'aws:s3/bucket:Bucket').type);
    expect(retained).not.toContain(theResource(resources, 'aws:ecr/repository:Repository').type);
    const stages = doc.slice(doc.indexOf('Every stage is a separate copy'), doc.indexOf('### Changing the GPU'));
    expect(stages).toContain('their bucket is retained');
    expect(stages).toContain('Their image repository is not retained');
    expect(stages).toContain('`STIPPLE_SAGEMAKER=off`');
    expect(stages).toContain('aws ecr batch-delete-image');
  });

  it('names the Cloudflare credentials that sst remove needs from the shell, and the workers.dev subdomain', async () => {
    const { resources } = await deployUnderMocks();
    const routerDeploy = theResource(resources, 'command:local:Command', 'RouterDeploy');
    // wrangler reads them from the environment of sst itself: the command carries none.
    expect(Object.keys(routerDeploy.inputs.environment).filter((name) => name.startsWith('CLOUDFLARE_'))).toEqual([]);
    expect(routerDeploy.inputs.delete).toContain('wrangler delete');
    const prerequisites = section('## Prerequisites');
    expect(prerequisites).toMatch(/CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=….*on `sst remove`/);
    expect(prerequisites).toContain('https://dash.cloudflare.com/<account id>/workers/onboarding');
  });

  it('states the GPU driver the endpoint pins and the CUDA of the image it runs', () => {
    const created = section('## What gets created');
    const ami = GPU_WORKER_INFERENCE_AMI;
    expect(created).toContain(`\`${ami.version}\` (NVIDIA driver ${ami.nvidiaDriver}, CUDA ${ami.cudaVersion};`);
    for (const family of ami.instanceFamilies) expect(created).toContain(`\`${family}\``);
    expect(created).toContain(`for the image's CUDA ${imageCudaVersion()} and cuDNN 9`);
  });

  it('describes the worker’s MODEL_REGISTRY as inline JSON or a file, with s3:// entries', () => {
    const row = section('### Settings').match(
      /\| `STIPPLE_MODEL_REGISTRY` [^\n]*?\| (?=`STIPPLE_MODEL_CATALOGUE`)/,
    )?.[0];
    expect(row).toMatch(/inline JSON.*s3:\/\/.*a registry file in the image/);
  });
});

import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

// biome-ignore lint/suspicious/noExplicitAny: inputs follow each provider's schema; tests read them by path.
export type Inputs = Record<string, any>;

/** A resource the program registered, with its inputs as Pulumi resolved them. */
export interface RecordedResource {
  type: string;
  name: string;
  inputs: Inputs;
  /** Its `replacementTrigger` option, resolved: the engine replaces the resource when this value changes. */
  replacementTrigger?: unknown;
  /** Its `ignoreChanges` option: properties the engine keeps at their old values when it diffs. */
  ignoreChanges: string[];
  /** Its `replaceOnChanges` option: properties whose change the engine turns into a replacement. */
  replaceOnChanges: string[];
  /** Its `deleteBeforeReplace` option. */
  deleteBeforeReplace: boolean;
}

/** What the mock monitor receives for each registration (a `pulumirpc.RegisterResourceRequest`), in the part read here. */
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
}

/** The resource options the mock monitor saw for one registration (`newResource` is not handed them). */
type RegisteredOptions = Pick<
  RecordedResource,
  'replacementTrigger' | 'ignoreChanges' | 'replaceOnChanges' | 'deleteBeforeReplace'
>;

export const MOCK_ACCOUNT = '123456789012';
export const MOCK_REGION = 'eu-west-1';
export const MOCK_WORKERS_DEV_URL = 'https://stipple-test-router.acme.workers.dev';

/**
 * Pulumi's unit-testing mocks (`pulumi.runtime.setMocks`): no engine, no cloud. Each resource answers with its inputs
 * plus the outputs the providers would compute (ARNs, generated names, a digest, wrangler's output).
 */
export async function installPulumiMocks(): Promise<RecordedResource[]> {
  const resources: RecordedResource[] = [];
  const options = new Map<string, RegisteredOptions>();
  const noOptions: RegisteredOptions = { ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false };
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const registered = options.get(`${args.type}::${args.name}`) ?? noOptions;
        resources.push({
          type: args.type,
          name: args.name,
          inputs: revealSecrets(args.inputs) as Inputs,
          ...registered,
        });
        const outputs = computedOutputs(args.type, args.name, args.inputs);
        // A Secrets Manager secret's id is its ARN (the provider's import id).
        const id = args.type === 'aws:secretsmanager/secret:Secret' ? (outputs.arn as string) : `${args.name}-id`;
        return { id, state: { ...args.inputs, ...outputs } };
      },
      call(args) {
        if (args.token === 'aws:ecr/getAuthorizationToken:getAuthorizationToken') {
          return { userName: 'AWS', password: 'mock-ecr-password', authorizationToken: 'mock', proxyEndpoint: 'mock' };
        }
        throw new Error(`no mock for the call ${args.token}`);
      },
    },
    'stipple',
    'test',
    false,
  );
  // Pulumi's mocks hand `newResource` no resource options; the request the monitor receives carries them.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: RegisterResourceRequest, callback: unknown): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const trigger = request.getReplacementTrigger();
    options.set(`${request.getType()}::${request.getName()}`, {
      ...(trigger === undefined ? {} : { replacementTrigger: revealSecrets(trigger.toJavaScript()) }),
      ignoreChanges: request.getIgnorechangesList(),
      replaceOnChanges: request.getReplaceonchangesList(),
      deleteBeforeReplace: request.getDeletebeforereplace(),
    });
    register(request, callback);
  };
  return resources;
}

/** Pulumi's signature key of a serialized secret (`{ [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value }`). */
const SECRET_SIGNATURE_KEY = '4dabf18193072939515e22adb298388d';

/** Inputs with Pulumi's secret wrappers replaced by their values, so tests read them as the provider would. */
function revealSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value === null || typeof value !== 'object') return value;
  if (SECRET_SIGNATURE_KEY in value) return revealSecrets((value as { value?: unknown }).value);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, revealSecrets(item)]));
}

function computedOutputs(type: string, name: string, inputs: Inputs): Record<string, unknown> {
  const physical = name.toLowerCase();
  const arn = `arn:aws:${type.split(':')[1]?.split('/')[0]}:${MOCK_REGION}:${MOCK_ACCOUNT}:${physical}`;
  switch (type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = `${inputs.bucketPrefix ?? ''}0123abcd`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, region: MOCK_REGION };
    }
    case 'aws:ecr/repository:Repository':
      return {
        arn,
        registryId: MOCK_ACCOUNT,
        repositoryUrl: `${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com/${physical}`,
      };
    case 'docker-build:index:Image':
      return { digest: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0' };
    case 'aws:secretsmanager/secret:Secret': {
      // Secrets Manager appends a hyphen and six random characters to the name in the ARN, which is also the id.
      const secretName = inputs.name ?? physical;
      return {
        arn: `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT}:secret:${secretName}-AbC123`,
        name: secretName,
      };
    }
    case 'aws:secretsmanager/secretVersion:SecretVersion':
      // A new value is a new version; the real id is a UUID, this one follows the value so tests can compare.
      return {
        versionId: createHash('sha256')
          .update(String(revealSecrets(inputs.secretString)))
          .digest('hex')
          .slice(0, 32),
      };
    case 'aws:iam/accessKey:AccessKey':
      return { id: `AKIA${name.toUpperCase()}`, secret: `secret-of-${name}` };
    case 'command:local:Command':
      return {
        stdout: `Uploaded stipple-test-router\nDeployed stipple-test-router triggers\n  ${MOCK_WORKERS_DEV_URL}\n`,
      };
    default:
      return { arn, name: inputs.name ?? physical };
  }
}

/** Resolves once every Pulumi resource inside `value` (objects, arrays) has been registered with the mocks. */
export async function registered(value: unknown): Promise<void> {
  const urns: pulumi.Output<string>[] = [];
  const visit = (item: unknown, depth: number) => {
    if (depth > 4 || item === null || typeof item !== 'object') return;
    if (pulumi.Resource.isInstance(item)) {
      urns.push(item.urn);
      return;
    }
    for (const child of Object.values(item)) visit(child, depth + 1);
  };
  visit(value, 0);
  await resolved(pulumi.all(urns));
}

export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** The one recorded resource of `type` (named `name` when given). */
export function theResource(resources: RecordedResource[], type: string, name?: string): RecordedResource {
  const found = resources.filter(
    (resource) => resource.type === type && (name === undefined || resource.name === name),
  );
  if (found.length !== 1) throw new Error(`${found.length} resources of type ${type}${name ? ` named ${name}` : ''}`);
  return found[0];
}

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EdgeStorage } from '@stipple/adapters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoolEntries, type ProviderBindings } from '../../functions/router/src/providers/pool-entries.ts';
import { readProviderConfigs } from '../../functions/router/src/providers/provider-config.ts';

const storage = new EdgeStorage({ credentials: { accessKeyId: 'AKIDEDGE', secretAccessKey: 'edge-secret' } });

function env(providers: unknown[], extra: Record<string, string> = {}): ProviderBindings {
  const bindings = {
    PROVIDERS: JSON.stringify(providers),
    WORKER_SECRET: 'worker-secret-0123456789',
    S3_REGION: 'eu-west-1',
    S3_ACCESS_KEY_ID: 'AKIDEDGE',
    S3_SECRET_ACCESS_KEY: 'edge-secret',
    ...extra,
  };
  return bindings;
}

describe('PROVIDERS', () => {
  // One server stands in for a worker (GET /ping) and SageMaker's control plane (DescribeEndpoint), recording requests.
  const seen: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let url = '';
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    seen.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
    const body = request.url === '/ping' ? { status: 'ok' } : { EndpointStatus: 'InService' };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('builds an http worker that sends the platform token from the secret its entry names', async () => {
    const config = {
      type: 'http',
      id: 'runpod',
      url,
      models: ['tiny-shapes'],
      priority: 2,
      providerToken: { secret: 'RUNPOD_TOKEN' },
    };
    const [entry] = createPoolEntries(env([config], { RUNPOD_TOKEN: 'Bearer rp_123' }), storage);
    expect(entry).toMatchObject({ models: ['tiny-shapes'], priority: 2, provider: { id: 'runpod', provider: 'http' } });
    expect(await entry.provider.health()).toMatchObject({ healthy: true });
    expect(seen.at(-1)).toMatchObject({ url: '/ping', headers: { authorization: 'Bearer rp_123' } });

    expect(() => createPoolEntries(env([config]), storage)).toThrow(
      'PROVIDERS entry runpod names the secret RUNPOD_TOKEN, which is not set',
    );
  });

  it('builds SageMaker endpoints signed with the edge identity in the configured region', async () => {
    const common = { endpointName: 'stipple-gpu', models: ['sd15'], apiUrl: url, runtimeUrl: url };
    const entries = createPoolEntries(
      env([
        { type: 'sagemaker-async', id: 'sm-async', ...common, input: { keyPrefix: 'staged' } },
        { type: 'sagemaker-realtime', id: 'sm-rt', ...common, region: 'us-west-2', weight: 3 },
      ]),
      storage,
    );
    expect(entries.map((entry) => [entry.provider.provider, entry.provider.id, entry.weight])).toEqual([
      // The pool's default share (poolEntrySettingsSchema), applied where the entry is read.
      ['sagemaker-async', 'sm-async', 1],
      ['sagemaker-realtime', 'sm-rt', 3],
    ]);
    for (const [entry, region] of [
      [entries[0], 'eu-west-1'],
      [entries[1], 'us-west-2'],
    ] as const) {
      expect(await entry.provider.health()).toMatchObject({ healthy: true });
      const request = seen.at(-1)!;
      expect(request.headers['x-amz-target']).toBe('SageMaker.DescribeEndpoint');
      expect(JSON.parse(request.body)).toEqual({ EndpointName: 'stipple-gpu' });
      expect(request.headers.authorization).toContain(`Credential=AKIDEDGE/`);
      expect(request.headers.authorization).toContain(`/${region}/sagemaker/aws4_request`);
    }
  });

  it('names the entry and field of a bad configuration', () => {
    expect(() => readProviderConfigs('[{"type":"lambda","id":"x","models":["m"]}]')).toThrow(
      'PROVIDERS[0].type: type "lambda" is not one of http, sagemaker-async, sagemaker-realtime',
    );
    expect(() => readProviderConfigs(`[{"type":"http","id":"a","url":"${url}","models":[]}]`)).toThrow(
      'PROVIDERS[0].models: models is empty; list the model ids this provider serves',
    );
    expect(() =>
      readProviderConfigs('[{"type":"sagemaker-realtime","id":"a","endpointName":"e","models":["m"],"input":{}}]'),
    ).toThrow(/^PROVIDERS\[0\]: .*input/);
    expect(() => readProviderConfigs('[{')).toThrow(/^PROVIDERS is not JSON/);
    expect(readProviderConfigs(undefined)).toEqual([]);
  });
});

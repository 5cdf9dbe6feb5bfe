/**
 * A local stand-in for AWS Secrets Manager's GetSecretValue, faithful to its documented wire protocol (AWS Secrets
 * Manager API Reference, "GetSecretValue" and "Common Errors"; the AWS JSON 1.1 protocol): `POST /` with
 * `X-Amz-Target: secretsmanager.GetSecretValue` and `{"SecretId": …}` (an ARN or a name), answered with
 * `{ ARN, Name, VersionId, SecretString | SecretBinary, VersionStages, CreatedDate }`, or HTTP 400 with
 * `{ "__type": "ResourceNotFoundException", "message": … }`. Every request's SigV4 signature is verified for the
 * service `secretsmanager` in the stand-in's region. Point the AWS SDK at it with `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySigV4 } from './sigv4-verifier.ts';

const ACCOUNT = '123456789012';
const JSON_1_1 = 'application/x-amz-json-1.1';

/** A stored secret: a string, or binary data (which GetSecretValue returns base64-encoded as `SecretBinary`). */
export type StoredSecret = { string: string } | { binary: Uint8Array };

export interface SecretsManagerStandInOptions {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Secrets by name. */
  secrets: Record<string, StoredSecret>;
}

/** One request as received, for tests to inspect. */
export interface RecordedSecretsRequest {
  target: string | undefined;
  secretId: string | undefined;
  /** `valid`, or the verifier's reason for refusing the signature. */
  signature: string;
}

export interface SecretsManagerStandIn {
  url: string;
  requests: RecordedSecretsRequest[];
  /** The ARN of the stored secret `name`: Secrets Manager appends a hyphen and six random characters to the name. */
  arnOf(name: string): string;
  /** An ARN of this account and region that names no stored secret. */
  missingArn: string;
  /** What a process needs to reach the stand-in through the AWS SDK: the endpoint override and a key it accepts. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: Record<string, unknown>) {
  response.writeHead(status, { 'content-type': JSON_1_1, 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
}

/** JSON 1.1 errors: HTTP 400 (500 for the server's own faults) with the error's type in `__type`. */
function sendError(response: ServerResponse, type: string, message: string, status = 400) {
  send(response, status, { __type: type, message });
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSecretsManagerStandIn(
  options: SecretsManagerStandInOptions,
): Promise<SecretsManagerStandIn> {
  const { region, credentials } = options;
  const arnOf = (name: string) => `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-AbC123`;
  const stored = new Map(Object.entries(options.secrets).map(([name, secret]) => [arnOf(name), { name, secret }]));
  const versionId = randomUUID();
  const requests: RecordedSecretsRequest[] = [];

  function getSecretValue(response: ServerResponse, secretId: string | undefined) {
    if (typeof secretId !== 'string' || secretId === '') {
      return sendError(response, 'InvalidParameterException', 'You must provide a SecretId.');
    }
    const found = stored.get(secretId) ?? [...stored.values()].find((entry) => entry.name === secretId);
    if (!found)
      return sendError(response, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const value =
      'string' in found.secret
        ? { SecretString: found.secret.string }
        : { SecretBinary: Buffer.from(found.secret.binary).toString('base64') };
    send(response, 200, {
      ARN: arnOf(found.name),
      Name: found.name,
      VersionId: versionId,
      ...value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: Date.now() / 1000,
    });
  }

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const target = request.headers['x-amz-target'] as string | undefined;
    let parsed: { SecretId?: string } = {};
    try {
      parsed = JSON.parse(body.toString() || '{}');
    } catch {
      return sendError(response, 'SerializationException', 'the request body is not JSON');
    }
    const entry: RecordedSecretsRequest = { target, secretId: parsed.SecretId, signature: 'unchecked' };
    requests.push(entry);
    const verdict = verifySigV4(
      { method: request.method ?? 'GET', target: request.url ?? '/', headers: request.headers, body },
      {
        secrets: { [credentials.accessKeyId]: credentials.secretAccessKey },
        region,
        service: 'secretsmanager',
        now: Date.now(),
      },
    );
    entry.signature = verdict.ok ? 'valid' : verdict.reason;
    if (!verdict.ok) {
      return verdict.reason === 'unknown_key'
        ? sendError(response, 'UnrecognizedClientException', 'The security token included in the request is invalid.')
        : sendError(
            response,
            'InvalidSignatureException',
            'The request signature we calculated does not match the signature you provided.',
          );
    }
    if (request.method !== 'POST' || request.url !== '/' || !request.headers['content-type']?.startsWith(JSON_1_1)) {
      return sendError(response, 'UnknownOperationException', `${request.method} ${request.url} is not an operation`);
    }
    if (target !== 'secretsmanager.GetSecretValue') {
      return sendError(response, 'UnknownOperationException', `the stand-in does not implement ${target}`);
    }
    getSecretValue(response, parsed.SecretId);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    arnOf,
    missingArn: arnOf('no-such-secret'),
    env: {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

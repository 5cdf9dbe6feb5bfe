/**
 * SageMaker's side of the wire for the contract server: AWS error answers, and invoking a container as SageMaker does
 * (SageMaker Developer Guide, "Use Your Own Inference Code with Hosting Services": `POST /invocations` on port 8080
 * with the request's body, `Content-Type`, `Accept` and custom attributes).
 */
import type { ServerResponse } from 'node:http';
import { CUSTOM_ATTRIBUTES_HEADER } from '@stipple/adapters';

/** The account id in ARNs and messages. */
export const ACCOUNT = '123456789012';

/** An AWS REST-JSON error: its type in `X-Amzn-ErrorType`, its fields in the JSON body. */
export function sendAwsError(response: ServerResponse, status: number, type: string, body: Record<string, unknown>) {
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.sagemaker/`,
  });
  response.end(JSON.stringify(body));
}

/** InvokeEndpoint's `ModelError` (424): the container answered an error, or none in time (status 0). */
export function sendModelError(
  response: ServerResponse,
  region: string,
  endpoint: string,
  status: number,
  message: string,
) {
  const kind = status >= 500 || status === 0 ? 'server' : 'client';
  sendAwsError(response, 424, 'ModelError', {
    ErrorCode: kind === 'server' ? 'SERVER_ERROR_FROM_MODEL' : 'CLIENT_ERROR_FROM_MODEL',
    LogStreamArn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${endpoint}`,
    Message: `Received ${kind} error (${status}) from primary with message "${message}".`,
    OriginalMessage: message,
    OriginalStatusCode: status,
  });
}

export interface ContainerAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * Invokes the container. Stand-in for a worker change (docs/adapters.md): the worker reads its HMAC signature from
 * `x-stipple-*` headers, which SageMaker would not forward, so they are lifted out of the custom attributes here.
 */
export async function invokeContainer(
  containerUrl: string,
  body: Buffer,
  headers: { contentType?: string; accept?: string; customAttributes?: string },
  limitMs: number,
): Promise<ContainerAnswer> {
  const attributes = headers.customAttributes ?? '';
  const answer = await fetch(new URL('/invocations', containerUrl), {
    method: 'POST',
    headers: {
      'content-type': headers.contentType ?? 'application/octet-stream',
      accept: headers.accept ?? '*/*',
      [CUSTOM_ATTRIBUTES_HEADER]: attributes,
    },
    body,
    signal: AbortSignal.timeout(limitMs),
  });
  const contentType = answer.headers.get('content-type') ?? 'application/octet-stream';
  return { status: answer.status, contentType, body: Buffer.from(await answer.arrayBuffer()) };
}

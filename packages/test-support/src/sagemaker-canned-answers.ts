/**
 * Answers recorded from SageMaker, played back by the contract server in place of its own: the error answers and 202
 * receipts that a local stand-in cannot provoke (an expired session token, a throttled account, a receipt without
 * locations). Each is a status, headers and body exactly as they go on the wire.
 */
import type { ServerResponse } from 'node:http';

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Answers queued per operation, each used once. */
export class CannedAnswers {
  private readonly queued = new Map<string, CannedAnswer[]>();

  push(operation: string, answer: CannedAnswer): void {
    this.queued.set(operation, [...(this.queued.get(operation) ?? []), answer]);
  }

  take(operation: string): CannedAnswer | undefined {
    return this.queued.get(operation)?.shift();
  }

  send(response: ServerResponse, answer: CannedAnswer): void {
    response.writeHead(answer.status, answer.headers ?? {});
    response.end(answer.body ?? '');
  }
}

/** Where an error type is defined: AWS's front end answers authentication and throttling for every service. */
export type ErrorNamespace = 'com.amazon.coral.service' | 'com.amazon.coral.availability' | 'com.amazon.sagemaker';

/**
 * An AWS REST-JSON error as SageMaker Runtime sends it: the type in `X-Amzn-ErrorType`, suffixed with its namespace's
 * URI (Smithy "AWS restJson1 protocol", "Operation error serialization"), the fields in a JSON body.
 */
export function awsErrorAnswer(
  status: number,
  type: string,
  body: Record<string, unknown>,
  namespace: ErrorNamespace = 'com.amazon.coral.service',
): CannedAnswer {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': 'c5a2e5e5-0000-4000-8000-000000000000',
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/${namespace}/`,
    },
    body: JSON.stringify(body),
  };
}

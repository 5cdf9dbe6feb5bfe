import { AwsClient } from 'aws4fetch';
import type { AwsCredentials } from './aws-credentials.ts';

export interface AwsSignerOptions {
  credentials: AwsCredentials;
  /** e.g. `us-east-1`; `auto` for R2. */
  region: string;
  /** The SigV4 service name: `s3`, or `sagemaker` for both SageMaker APIs. */
  service: string;
  /** Clock in milliseconds; the signature's `X-Amz-Date`. */
  now: () => number;
}

export interface SignInit {
  method: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** `YYYYMMDD'T'HHMMSS'Z'`, the SigV4 date-time format (AWS General Reference, "Elements of a SigV4 request"). */
function amzDate(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/**
 * AWS Signature Version 4 with `aws4fetch` (Web Crypto only: the AWS SDK misbehaves inside workerd). It only signs;
 * sending is the caller's, with its injected fetch, and so are retries (aws4fetch's own are turned off).
 */
export class AwsSigner {
  private readonly client: AwsClient;

  constructor(private readonly options: AwsSignerOptions) {
    this.client = new AwsClient({
      ...options.credentials,
      service: options.service,
      region: options.region,
      retries: 0,
    });
  }

  /** A request signed in its `Authorization` header. */
  sign(url: URL, init: SignInit): Promise<Request> {
    return this.client.sign(url.toString(), { ...init, aws: { datetime: amzDate(this.options.now()) } });
  }

  /**
   * A URL signed in its query string (SigV4 query authentication), valid for `expiresInSeconds` from now. Any
   * query parameters already on `url` (such as `response-content-type`) are signed with it.
   */
  async presign(url: URL, method: string, expiresInSeconds: number): Promise<URL> {
    const unsigned = new URL(url);
    unsigned.searchParams.set('X-Amz-Expires', String(expiresInSeconds));
    const signed = await this.client.sign(unsigned.toString(), {
      method,
      aws: { signQuery: true, datetime: amzDate(this.options.now()) },
    });
    return new URL(signed.url);
  }
}

import { AwsClient, AwsV4Signer } from 'aws4fetch';
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
   * query parameters already on `url` (such as `response-content-type`) are signed with it, and so are `headers`: the
   * request made with the URL must send each with exactly this value (S3 refuses it otherwise, `SignatureDoesNotMatch`).
   * aws4fetch leaves `content-type` and `content-length` out of a signature unless told to sign every header
   * (`allHeaders`), which is how a presigned PUT pins an upload's type and size.
   */
  async presign(
    url: URL,
    method: string,
    expiresInSeconds: number,
    headers: Record<string, string> = {},
  ): Promise<URL> {
    const unsigned = new URL(url);
    unsigned.searchParams.set('X-Amz-Expires', String(expiresInSeconds));
    const signer = new AwsV4Signer({
      ...this.options.credentials,
      service: this.options.service,
      region: this.options.region,
      url: unsigned.toString(),
      method,
      headers,
      signQuery: true,
      allHeaders: true,
      datetime: amzDate(this.options.now()),
    });
    return new URL((await signer.sign()).url);
  }
}

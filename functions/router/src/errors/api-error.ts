/** The `type` of OpenAI's error envelope, by kind of failure; clients branch on `code`, humans read `message`. */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_credits'
  | 'server_error';

const TYPE_BY_STATUS: Record<number, ApiErrorType> = {
  401: 'authentication_error',
  402: 'insufficient_credits',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
};

export interface ApiErrorOptions {
  /** The request field at fault, dotted (`size`, `webhook.url`); null when the request as a whole is. */
  param?: string | null;
  /** Extra envelope fields (a job id a client can fetch later, a retry time). */
  extra?: Record<string, unknown>;
  /** Response headers that belong with the error (`Retry-After`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * Every failure the public API reports. The router's one `onError` turns it into OpenAI's envelope
 * `{ "error": { "message", "type", "param", "code" } }` (what the official SDKs parse), so nothing else formats errors.
 */
export class ApiError extends Error {
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.type = TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    this.param = options.param ?? null;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  toEnvelope(): { error: Record<string, unknown> } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code, ...this.extra } };
  }
}

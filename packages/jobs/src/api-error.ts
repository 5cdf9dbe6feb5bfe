import { StippleError, type StippleErrorOptions } from './stipple-error.ts';

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

export interface ApiErrorOptions extends StippleErrorOptions {
  /** The request field at fault, dotted (`size`, `webhook.url`); null when the request as a whole is. */
  param?: string | null;
  /** Extra envelope fields (a job id a client can fetch later, a retry time). */
  extra?: Record<string, unknown>;
  /** Response headers that belong with the error (`Retry-After`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
}

/**
 * Every failure the public API reports, on both ends of it. The router's one `onError` turns it into OpenAI's
 * envelope `{ "error": { "message", "type", "param", "code" } }` (what the official SDKs parse), so nothing else formats
 * errors; a client reads the envelope back into one with `apiErrorFromEnvelope`.
 */
export class ApiError extends StippleError {
  /** The HTTP status the error is answered with. */
  readonly status: number;
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: ApiErrorOptions = {}) {
    const { param = null, extra = {}, headers = {}, ...base } = options;
    super(code, message, { status }, base);
    this.status = status;
    this.type = TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    this.param = param;
    this.extra = extra;
    this.headers = headers;
  }

  toEnvelope(): { error: Record<string, unknown> } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code, ...this.extra } };
  }
}

/**
 * The `ApiError` an error answer carries: its status, and the envelope's `code`, `message` and `param`; a body that
 * is not an envelope (a proxy's page) gives `http_<status>` and a message naming the status.
 */
export function apiErrorFromEnvelope(status: number, body: unknown, options: StippleErrorOptions = {}): ApiError {
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown };
  const error = (typeof envelope.error === 'object' && envelope.error !== null ? envelope.error : {}) as {
    code?: string;
    message?: string;
    param?: string | null;
  };
  return new ApiError(status, error.code ?? `http_${status}`, error.message ?? `the router answered ${status}`, {
    ...options,
    param: error.param,
  });
}

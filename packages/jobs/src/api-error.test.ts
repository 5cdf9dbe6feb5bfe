import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromEnvelope } from './api-error.ts';
import { StippleError } from './stipple-error.ts';

describe('ApiError', () => {
  it("renders OpenAI's envelope with a type that follows the status", () => {
    const error = new ApiError(400, 'invalid_size', 'size "100x100" is not allowed; use 64–2048 in steps of 8', {
      param: 'size',
    });
    expect(error.toEnvelope()).toEqual({
      error: {
        message: 'size "100x100" is not allowed; use 64–2048 in steps of 8',
        type: 'invalid_request_error',
        param: 'size',
        code: 'invalid_size',
      },
    });
    expect(new ApiError(402, 'insufficient_credits', 'x').type).toBe('insufficient_credits');
    expect(new ApiError(401, 'invalid_api_key', 'x').type).toBe('authentication_error');
    expect(new ApiError(503, 'no_capacity', 'x').type).toBe('server_error');
    expect(new ApiError(409, 'idempotency_conflict', 'x').type).toBe('invalid_request_error');
  });

  it('carries extra envelope fields such as the job id of a generation that outlasted the wait', () => {
    const error = new ApiError(504, 'generation_timeout', 'still running', { extra: { job_id: 'job_1' } });
    expect(error.toEnvelope().error).toMatchObject({ code: 'generation_timeout', job_id: 'job_1', param: null });
  });

  it('is a StippleError whose details name the status', () => {
    const error = new ApiError(429, 'rate_limited', 'x', { retryable: true });
    expect(error).toBeInstanceOf(StippleError);
    expect(error).toMatchObject({ name: 'ApiError', status: 429, details: { status: 429 }, isRetryable: true });
  });
});

describe('apiErrorFromEnvelope', () => {
  it('reads the envelope the router wrote back into the same error', () => {
    const sent = new ApiError(400, 'invalid_size', 'size "1x1" is not allowed', { param: 'size' });
    const read = apiErrorFromEnvelope(400, JSON.parse(JSON.stringify(sent.toEnvelope())));
    expect(read).toMatchObject({ status: 400, code: 'invalid_size', message: sent.message, param: 'size' });
    expect(read.type).toBe('invalid_request_error');
  });

  it('names the status when the body is not an envelope, and carries the retryable option', () => {
    const read = apiErrorFromEnvelope(502, '<html>Bad Gateway</html>', { retryable: true });
    expect(read).toMatchObject({ code: 'http_502', message: 'the router answered 502', isRetryable: true });
  });
});

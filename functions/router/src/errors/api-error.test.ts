import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';

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
});

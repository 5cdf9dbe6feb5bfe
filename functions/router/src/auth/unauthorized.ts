import { ApiError } from '../errors/api-error.ts';

/** 401 `invalid_api_key`, with the `WWW-Authenticate: Bearer` challenge RFC 6750 asks for. */
export const unauthorized = (message: string) =>
  new ApiError(401, 'invalid_api_key', message, { headers: { 'www-authenticate': 'Bearer' } });

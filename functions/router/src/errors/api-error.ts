/** The public API's error, shared with its clients (`@stipple/jobs`); the router's modules import it from here. */
export { ApiError, type ApiErrorOptions, type ApiErrorType } from '@stipple/jobs';

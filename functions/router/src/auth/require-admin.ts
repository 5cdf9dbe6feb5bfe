import { createMiddleware } from 'hono/factory';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { bearerToken, secretsEqual } from './bearer-token.ts';

/** Guards the admin endpoints with the deployment's admin secret. */
export const requireAdmin = createMiddleware<AppContext>(async (c, next) => {
  const secret = c.env.ADMIN_SECRET ?? '';
  if (secret.length < 32) {
    throw new ApiError(
      503,
      'admin_disabled',
      'admin endpoints are disabled: ADMIN_SECRET is not set to 32+ characters',
    );
  }
  const token = bearerToken(c.req.header('authorization'));
  if (!token || !(await secretsEqual(token, secret))) {
    throw new ApiError(401, 'invalid_admin_secret', 'admin endpoints need Authorization: Bearer <admin secret>', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  await next();
});

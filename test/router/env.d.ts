import type { Env as RouterEnv } from '../../functions/router/src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends RouterEnv {}
  }
}

import type { Env as RouterEnv } from '../src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends RouterEnv {}
  }
}

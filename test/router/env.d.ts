import type { Env as RouterEnv } from '../../functions/router/src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends RouterEnv {}
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** docs/ARCHITECTURE.md, read by global-setup.ts for object-hops.workerd.test.ts: workerd reads no files. */
    routerArchitectureDoc: string;
  }
}

/**
 * `sst install` as `npm run check:infra` needs it: SST's platform and the providers `sst.config.ts` names, fetched
 * from the npm registry (no AWS or Cloudflare account), so `tsconfig.infra.json` can check against SST's own types.
 * `SST_SKIP_DEPENDENCY_CHECK` and `SST_NO_BUN` keep it on npm; telemetry is off because nothing else is reachable.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const result = spawnSync('npx', ['sst', 'install', '--stage', 'check'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SST_SKIP_DEPENDENCY_CHECK: '1', SST_NO_BUN: '1', SST_TELEMETRY_DISABLED: '1' },
});
if (result.status !== 0) process.exit(result.status ?? 1);

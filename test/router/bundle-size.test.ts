import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** Issue 6's budget for the router bundle as Cloudflare counts it (gzip). Workers' free plan allows 3 MiB. */
const MAX_GZIP_KIB = 400;

describe('the router bundle', () => {
  it(`stays within ${MAX_GZIP_KIB} KiB gzip as wrangler builds it for deployment`, async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'router-bundle-'));
    try {
      const { stdout } = await promisify(execFile)(
        join(ROOT, 'node_modules/.bin/wrangler'),
        ['deploy', '--dry-run', '--minify', '--outdir', outdir, '-c', 'functions/router/wrangler.jsonc'],
        { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } },
      );
      const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(stdout);
      expect(match, stdout).not.toBeNull();
      const gzipKib = Number(match![2]);
      console.log(`router bundle: ${match![1]} KiB, ${gzipKib} KiB gzip (budget ${MAX_GZIP_KIB} KiB gzip)`);
      expect(gzipKib).toBeLessThanOrEqual(MAX_GZIP_KIB);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/**
 * What `npm start` leaves in the tree: the stack's state folder(s) and wrangler's bundles. Badly formatted on purpose;
 * `npm test`'s lint (the README's third command, after `npm start`) must not look at them.
 */
const PROBES = [
  '.stipple/lint-probe.json',
  '.stipple-2/lint-probe.json',
  'functions/router/.wrangler/tmp/lint-probe.js',
].map((path) => resolve(ROOT, path));

describe("the README's order: npm install, npm start, npm test", () => {
  /** Folders this test made (mkdir's first new one), removed with what is in them; existing ones keep their state. */
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(PROBES.map((probe) => rm(probe, { force: true })));
    await Promise.all(made.map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it("lints none of the state npm start leaves behind (.stipple*, wrangler's bundles)", async () => {
    for (const probe of PROBES) {
      const first = await mkdir(dirname(probe), { recursive: true });
      if (first) made.push(first);
      await writeFile(probe, probe.endsWith('.json') ? '{"a":1,   "b":[1,2,\n3]}' : 'var  x = 1;;\n');
    }
    const lint = await promisify(execFile)('npx', ['biome', 'check', '.'], { cwd: ROOT }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
    expect(lint.output).not.toContain('lint-probe');
    expect(lint.code).toBe(0);
  });
});

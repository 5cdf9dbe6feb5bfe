import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(ROOT, 'docs/MODELS.md'), 'utf8');
const section = doc.slice(doc.indexOf('### Export conventions'), doc.indexOf('## Where to put them'));
/** The last cell of each body row of the "Export conventions" table: the tests that check that row. */
const checkedBy = section
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| convention') && !line.startsWith('| -'))
  .map((line) => line.split(' | ').at(-1)?.replace(/\|$/, '').trim() ?? '');

describe('docs/MODELS.md "Export conventions"', () => {
  it('has its rows', () => {
    expect(checkedBy.length).toBeGreaterThanOrEqual(8);
  });

  it.each(checkedBy)('names test files that exist and the describe blocks in them (%s)', (cell) => {
    // Each reference is `path` optionally followed by "a describe or it title" in that file.
    const references = [...cell.matchAll(/`([^`]+\.test\.ts)`(?: "([^"]+)")?/g)];
    expect(references.length).toBeGreaterThan(0);
    for (const [, path, title] of references) {
      expect(existsSync(join(ROOT, path)), path).toBe(true);
      if (title !== undefined) expect(readFileSync(join(ROOT, path), 'utf8'), `${path}: ${title}`).toContain(title);
    }
  });
});

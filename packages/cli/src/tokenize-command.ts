import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadClipTokenizer, ValidationError } from '@stipple/core';
import { DEFAULT_MODEL_DIR } from './default-model.ts';

export const TOKENIZE_USAGE = 'stipple-cli tokenize [--model DIR] TEXT';

/** Prints `{ ids, tokens, truncated }` for TEXT: ids with start and end tokens, without padding. */
export async function tokenizeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { model: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    throw new ValidationError(
      'invalid_arguments',
      `tokenize takes one TEXT argument, found ${positionals.length}; quote the prompt`,
    );
  }
  const tokenizer = await loadClipTokenizer(join(values.model ?? DEFAULT_MODEL_DIR, 'tokenizer'));
  const { ids, tokens, truncated } = tokenizer.encode(positionals[0]);
  process.stdout.write(`${JSON.stringify({ ids, tokens, truncated })}\n`);
  return 0;
}

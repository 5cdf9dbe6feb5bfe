import type { MergePair } from './bpe.ts';
import { corruptFile, parseJsonObject } from './tokenizer-errors.ts';

/** Parses vocab.json: a JSON object mapping each token to a non-negative integer id. */
export function parseVocab(text: string, path: string): Map<string, number> {
  return vocabFromJson(parseJsonObject(text, path), path);
}

/** A vocabulary from a parsed JSON object (vocab.json, or tokenizer.json's `model.vocab`). */
export function vocabFromJson(json: Record<string, unknown>, path: string): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(json)) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw corruptFile(
        path,
        `expected a non-negative integer id for ${JSON.stringify(token)}, found ${JSON.stringify(id)}`,
      );
    }
    vocab.set(token, id);
  }
  return vocab;
}

/**
 * Parses merges.txt: an optional `#version` header, then one merge per line as two symbols separated by one space.
 * Blank lines are skipped. Unlike HF's slow CLIPTokenizer, every merge is kept (it cuts the list at 48,894, which is
 * exactly the length of CLIP's list) and a missing header does not cost the first merge (as HF's fast tokenizer).
 */
export function parseMerges(text: string, path: string): MergePair[] {
  const lines = text.split(/\r?\n/);
  const merges: MergePair[] = [];
  for (let i = lines[0]?.startsWith('#version') ? 1 : 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    merges.push(parseMergeLine(line, path, `line ${i + 1}`, { line: i + 1 }));
  }
  return merges;
}

/** One merge written as two symbols separated by one space; `where` (a line, an index) leads the error message. */
export function parseMergeLine(line: string, path: string, where: string, details: Record<string, unknown>): MergePair {
  const parts = line.split(' ');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    const found = JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
    throw corruptFile(path, `${where}: expected two symbols separated by one space, found ${found}`, details);
  }
  return [parts[0], parts[1]];
}

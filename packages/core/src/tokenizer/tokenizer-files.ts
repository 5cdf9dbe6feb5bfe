import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '../errors.ts';
import type { MergePair } from './bpe.ts';
import { type ClipTokenizerConfig, parseTokenizerConfig } from './tokenizer-config.ts';
import { corruptFile, parseJsonObject, TokenizerErrorCode } from './tokenizer-errors.ts';

/** The parsed content of a tokenizer folder. */
export interface ClipTokenizerFiles {
  /** vocab.json: token → id. */
  vocab: Map<string, number>;
  /** merges.txt pairs in rank order. */
  merges: MergePair[];
  /** What the optional config files set. */
  config: ClipTokenizerConfig;
  /** vocab.json's path, for error messages. */
  vocabPath: string;
}

/** Reads a UTF-8 file (dropping a BOM); `undefined` when it does not exist and `optional` is set. */
async function readText(path: string, what: string, optional: false): Promise<string>;
async function readText(path: string, what: string, optional: true): Promise<string | undefined>;
async function readText(path: string, what: string, optional: boolean): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).replace(/^\ufeff/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (optional) return undefined;
      const message = `tokenizer file missing: expected ${what} at ${path}, found no file`;
      throw new ModelError(TokenizerErrorCode.fileMissing, message, { path }, { cause: error });
    }
    const message = `tokenizer file unreadable: expected ${what} at ${path}, reading it failed (${code ?? String(error)})`;
    throw new ModelError(TokenizerErrorCode.fileUnreadable, message, { path }, { cause: error });
  }
}

/** Parses vocab.json: a JSON object mapping each token to a non-negative integer id. */
export function parseVocab(text: string, path: string): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(parseJsonObject(text, path))) {
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
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      const found = JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
      throw corruptFile(path, `line ${i + 1}: expected two symbols separated by one space, found ${found}`, {
        line: i + 1,
      });
    }
    merges.push([parts[0], parts[1]]);
  }
  return merges;
}

/** Reads and parses `dir`/vocab.json, merges.txt and the optional tokenizer_config.json and special_tokens_map.json. */
export async function readClipTokenizerFiles(dir: string): Promise<ClipTokenizerFiles> {
  const vocabPath = join(dir, 'vocab.json');
  const mergesPath = join(dir, 'merges.txt');
  const configPath = join(dir, 'tokenizer_config.json');
  const mapPath = join(dir, 'special_tokens_map.json');
  // One after another, so that a folder missing several files always reports vocab.json first.
  const vocabText = await readText(vocabPath, 'the BPE vocabulary vocab.json', false);
  const mergesText = await readText(mergesPath, 'the BPE merge list merges.txt', false);
  const configText = await readText(configPath, 'tokenizer_config.json', true);
  const mapText = await readText(mapPath, 'special_tokens_map.json', true);
  return {
    vocab: parseVocab(vocabText, vocabPath),
    merges: parseMerges(mergesText, mergesPath),
    config: parseTokenizerConfig(configText, configPath, mapText, mapPath),
    vocabPath,
  };
}

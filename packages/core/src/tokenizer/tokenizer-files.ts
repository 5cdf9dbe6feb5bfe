import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '../errors.ts';
import type { MergePair } from './bpe.ts';
import { type ClipTokenizerConfig, parseTokenizerConfig } from './tokenizer-config.ts';
import { TokenizerErrorCode } from './tokenizer-errors.ts';
import { parseTokenizerJson } from './tokenizer-json.ts';
import { parseMerges, parseVocab } from './vocab-and-merges.ts';

/** The parsed content of a tokenizer folder. */
export interface ClipTokenizerFiles {
  /** vocab.json (or tokenizer.json's `model.vocab` with its added tokens): token → id. */
  vocab: Map<string, number>;
  /** merges.txt pairs in rank order. */
  merges: MergePair[];
  /** What the optional config files set. */
  config: ClipTokenizerConfig;
  /** vocab.json's path (tokenizer.json's when the vocabulary came from it), for error messages. */
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

/**
 * Reads and parses `dir`/vocab.json and merges.txt, or, when either is absent, the fast tokenizer's tokenizer.json;
 * then the optional tokenizer_config.json and special_tokens_map.json, whose tokens win over tokenizer.json's.
 */
export async function readClipTokenizerFiles(dir: string): Promise<ClipTokenizerFiles> {
  const vocabPath = join(dir, 'vocab.json');
  const mergesPath = join(dir, 'merges.txt');
  const jsonPath = join(dir, 'tokenizer.json');
  const configPath = join(dir, 'tokenizer_config.json');
  const mapPath = join(dir, 'special_tokens_map.json');
  const vocabText = await readText(vocabPath, VOCAB_JSON, true);
  const mergesText = await readText(mergesPath, MERGES_TXT, true);
  const configText = await readText(configPath, 'tokenizer_config.json', true);
  const mapText = await readText(mapPath, 'special_tokens_map.json', true);
  const config = parseTokenizerConfig(configText, configPath, mapText, mapPath);
  if (vocabText !== undefined && mergesText !== undefined) {
    return { vocab: parseVocab(vocabText, vocabPath), merges: parseMerges(mergesText, mergesPath), config, vocabPath };
  }
  const jsonText = await readText(jsonPath, 'tokenizer.json', true);
  if (jsonText === undefined) {
    // Neither layout is complete: name the first missing file of the slow tokenizer's pair, vocab.json first.
    await readText(vocabPath, `${VOCAB_JSON} (or a tokenizer.json)`, false);
    await readText(mergesPath, `${MERGES_TXT} (or a tokenizer.json)`, false);
  }
  const fast = parseTokenizerJson(jsonText as string, jsonPath);
  return { vocab: fast.vocab, merges: fast.merges, config: { ...fast.config, ...config }, vocabPath: jsonPath };
}

const VOCAB_JSON = 'the BPE vocabulary vocab.json';
const MERGES_TXT = 'the BPE merge list merges.txt';

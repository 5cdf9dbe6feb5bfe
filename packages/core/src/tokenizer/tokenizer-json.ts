import { END_OF_WORD, type MergePair } from './bpe.ts';
import type { ClipTokenizerConfig } from './tokenizer-config.ts';
import { corruptFile, parseJsonObject } from './tokenizer-errors.ts';
import { parseMergeLine, vocabFromJson } from './vocab-and-merges.ts';

/** What a Hugging Face fast tokenizer file (tokenizer.json) gives a CLIP tokenizer. */
export interface TokenizerJson {
  vocab: Map<string, number>;
  merges: MergePair[];
  /** `model.unk_token`, and the start and end tokens of a `RobertaProcessing` / `BertProcessing` post-processor. */
  config: ClipTokenizerConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses tokenizer.json as the `tokenizers` library writes CLIP's (huggingface/tokenizers `models/bpe/serialization.rs`):
 * `model` is a BPE with `end_of_word_suffix` `</w>`, its `vocab` an object of ids, its `merges` either `"a b"` strings
 * (tokenizers < 0.20) or `["a", "b"]` pairs; `added_tokens` entries missing from the vocabulary are added. The
 * normalizer and pre-tokenizer are taken to be CLIP's (the engine's own cleanup and split pattern).
 */
export function parseTokenizerJson(text: string, path: string): TokenizerJson {
  const json = parseJsonObject(text, path);
  const model = json.model;
  if (!isObject(model) || !isObject(model.vocab) || !Array.isArray(model.merges)) {
    throw corruptFile(path, 'model: expected an object with a "vocab" object and a "merges" array');
  }
  if (model.type !== 'BPE' || model.end_of_word_suffix !== END_OF_WORD) {
    const found = `type ${JSON.stringify(model.type)}, end_of_word_suffix ${JSON.stringify(model.end_of_word_suffix)}`;
    throw corruptFile(
      path,
      `model: expected CLIP's BPE (type "BPE", end_of_word_suffix "${END_OF_WORD}"), found ${found}`,
    );
  }
  const vocab = vocabFromJson(model.vocab, path);
  for (const added of Array.isArray(json.added_tokens) ? json.added_tokens : []) {
    if (isObject(added) && typeof added.content === 'string' && Number.isSafeInteger(added.id)) {
      if (!vocab.has(added.content)) vocab.set(added.content, added.id as number);
    }
  }
  const merges = model.merges.map((merge, index): MergePair => {
    const where = `model.merges[${index}]`;
    if (typeof merge === 'string') return parseMergeLine(merge, path, where, { index });
    if (Array.isArray(merge) && merge.length === 2 && merge.every((part) => typeof part === 'string' && part !== '')) {
      return [merge[0], merge[1]];
    }
    throw corruptFile(path, `${where}: expected "a b" or ["a", "b"], found ${JSON.stringify(merge)}`, { index });
  });
  return { vocab, merges, config: specialTokens(model, json.post_processor) };
}

/** The unknown token of the BPE model and the start/end tokens its post-processor wraps prompts in. */
function specialTokens(model: Record<string, unknown>, postProcessor: unknown): ClipTokenizerConfig {
  const config: ClipTokenizerConfig = {};
  if (typeof model.unk_token === 'string') config.unkToken = model.unk_token;
  if (!isObject(postProcessor)) return config;
  // RobertaProcessing and BertProcessing write `cls` and `sep` as [token, id].
  const [cls, sep] = [postProcessor.cls, postProcessor.sep];
  if (Array.isArray(cls) && typeof cls[0] === 'string') config.bosToken = cls[0];
  if (Array.isArray(sep) && typeof sep[0] === 'string') config.eosToken = sep[0];
  return config;
}

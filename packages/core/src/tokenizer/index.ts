export { END_OF_WORD, type MergePair } from './bpe.ts';
export { cleanClipText } from './clip-text-cleanup.ts';
export { ClipTokenizer, loadClipTokenizer } from './clip-tokenizer.ts';
export {
  CLIP_TOKENIZER_DEFAULTS,
  type ClipEncoding,
  type ClipPaddedEncoding,
  type ClipTokenizerOptions,
} from './clip-tokenizer-types.ts';
export { type ClipTokenizerConfig, parseTokenizerConfig } from './tokenizer-config.ts';
export { TokenizerErrorCode } from './tokenizer-errors.ts';
export { type ClipTokenizerFiles, readClipTokenizerFiles } from './tokenizer-files.ts';
export { parseTokenizerJson } from './tokenizer-json.ts';
export { parseMerges, parseVocab } from './vocab-and-merges.ts';

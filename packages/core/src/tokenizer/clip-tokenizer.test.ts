import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.ts';
import { ClipTokenizer } from './clip-tokenizer.ts';
import type { ClipTokenizerOptions } from './clip-tokenizer-types.ts';
import { TINY_MERGES, TINY_VOCAB } from './tiny-vocab.fixture.ts';
import { TokenizerErrorCode } from './tokenizer-errors.ts';

const BOS = 11;
const EOS = 12;

function tiny(options: Partial<ClipTokenizerOptions> = {}): ClipTokenizer {
  return new ClipTokenizer({ vocab: TINY_VOCAB, merges: TINY_MERGES, ...options });
}

describe('ClipTokenizer (tiny vocabulary)', () => {
  it('reads the start and end tokens from the vocabulary and defaults to a 77-token window', () => {
    const tokenizer = tiny();
    expect(tokenizer.bosTokenId).toBe(BOS);
    expect(tokenizer.eosTokenId).toBe(EOS);
    expect(tokenizer.padTokenId).toBe(EOS);
    expect(tokenizer.padToken).toBe('<|endoftext|>');
    expect(tokenizer.maxLength).toBe(77);
  });

  it('encodes words with BPE, marking word ends with </w>', () => {
    expect(tiny().encode('abc ab a c')).toEqual({
      ids: [BOS, 10, 9, 5, 7, EOS],
      tokens: ['<|startoftext|>', 'abc</w>', 'ab</w>', 'a</w>', 'c</w>', '<|endoftext|>'],
      truncated: false,
      droppedTokenCount: 0,
    });
  });

  it('splits punctuation and letters apart and lower-cases', () => {
    expect(tiny().encode('ABC!').ids).toEqual([BOS, 10, 4, EOS]);
    expect(tiny().encode('  A\t\tB  ').ids).toEqual([BOS, 5, 6, EOS]);
  });

  it('gives the same ids for a word seen again (the BPE cache)', () => {
    const tokenizer = tiny();
    const first = tokenizer.encode('abc abc').ids;
    expect(tokenizer.encode('abc abc').ids).toEqual(first);
    expect(first).toEqual([BOS, 10, 10, EOS]);
  });

  it('maps a BPE symbol missing from the vocabulary to the unknown token', () => {
    expect(tiny().encode('d').tokens).toEqual(['<|startoftext|>', '<|endoftext|>', '<|endoftext|>']);
    const withUnk = tiny({ unkToken: '!' });
    expect(withUnk.encode('ad').ids).toEqual([BOS, 1, 0, EOS]);
    expect(withUnk.unkTokenId).toBe(0);
  });

  it('recognizes the start and end tokens written in the text, in any case', () => {
    expect(tiny().encode('a<|endoftext|>b').ids).toEqual([BOS, 5, EOS, 6, EOS]);
    expect(tiny().encode('<|StartOfText|>c').ids).toEqual([BOS, BOS, 7, EOS]);
  });

  it('treats a "!" pad token as ordinary text, as OpenCLIP does', () => {
    expect(tiny({ padToken: '!' }).encode('a!').ids).toEqual([BOS, 5, 4, EOS]);
  });

  describe('padding', () => {
    it('pads with the end token by default', () => {
      const padded = tiny({ maxLength: 8 }).encodePadded('abc a');
      expect(Array.from(padded.ids)).toEqual([BOS, 10, 5, EOS, EOS, EOS, EOS, EOS]);
      expect(padded.ids).toBeInstanceOf(Int32Array);
      expect(padded.length).toBe(4);
      expect(padded.truncated).toBe(false);
    });

    it('pads with the configured pad token ("!" = 0, as SD 2.x)', () => {
      const tokenizer = tiny({ maxLength: 8, padToken: '!' });
      expect(tokenizer.padTokenId).toBe(0);
      expect(Array.from(tokenizer.encodePadded('abc a').ids)).toEqual([BOS, 10, 5, EOS, 0, 0, 0, 0]);
    });

    it('gives an empty prompt as start, end, padding', () => {
      expect(Array.from(tiny({ maxLength: 4 }).encodePadded('').ids)).toEqual([BOS, EOS, EOS, EOS]);
    });
  });

  describe('truncation', () => {
    const tokenizer = tiny({ maxLength: 5 });

    it('keeps a text that exactly fills the window', () => {
      const encoding = tokenizer.encode('a b c');
      expect(encoding.ids).toEqual([BOS, 5, 6, 7, EOS]);
      expect(encoding.truncated).toBe(false);
      expect(encoding.droppedTokenCount).toBe(0);
    });

    it('keeps the first window−2 tokens and reports one dropped token', () => {
      const encoding = tokenizer.encode('a b c a');
      expect(encoding.ids).toEqual([BOS, 5, 6, 7, EOS]);
      expect(encoding.tokens).toHaveLength(5);
      expect(encoding.truncated).toBe(true);
      expect(encoding.droppedTokenCount).toBe(1);
    });

    it('reports every dropped token, in padded form too', () => {
      const padded = tokenizer.encodePadded('a b c a b c abc');
      expect(Array.from(padded.ids)).toEqual([BOS, 5, 6, 7, EOS]);
      expect(padded.length).toBe(5);
      expect(padded.truncated).toBe(true);
      expect(padded.droppedTokenCount).toBe(4);
    });
  });

  it('decodes ids back to the cleaned text, as CLIP’s decode', () => {
    const tokenizer = tiny();
    expect(tokenizer.decode(tokenizer.encode('ABC ab!').ids)).toBe('<|startoftext|>abc ab ! <|endoftext|>');
    expect(tokenizer.decode(new Int32Array([10, 9]))).toBe('abc ab ');
    expect(() => tokenizer.decode([99])).toThrow(RangeError);
  });

  describe('special tokens missing from the vocabulary', () => {
    it.each([
      ['bosToken', '<s>'],
      ['eosToken', '</s>'],
      ['padToken', '<pad>'],
      ['unkToken', '<unk>'],
    ] as const)('throws tokenizer_special_token_missing for %s %j', (field, token) => {
      const attempt = () => tiny({ [field]: token, source: '/m/tokenizer/vocab.json' });
      expect(attempt).toThrow(ModelError);
      expect(attempt).toThrow(expect.objectContaining({ code: TokenizerErrorCode.specialTokenMissing }));
      expect(attempt).toThrow(`/m/tokenizer/vocab.json: expected the`);
      expect(attempt).toThrow(JSON.stringify(token));
    });

    it('throws when the vocabulary lacks CLIP’s default start token', () => {
      const { '<|startoftext|>': _, ...vocab } = TINY_VOCAB;
      expect(() => new ClipTokenizer({ vocab, merges: TINY_MERGES })).toThrow(
        expect.objectContaining({ code: 'tokenizer_special_token_missing' }),
      );
    });
  });

  it('uses special tokens named by the config', () => {
    const vocab = { ...TINY_VOCAB, '<s>': 20, '</s>': 21 };
    const tokenizer = new ClipTokenizer({ vocab, merges: TINY_MERGES, bosToken: '<s>', eosToken: '</s>' });
    expect(tokenizer.encode('a</s>b').ids).toEqual([20, 5, 21, 6, 21]);
    expect(tokenizer.padTokenId).toBe(21);
  });

  it('rejects a window that cannot hold the start and end tokens', () => {
    expect(() => tiny({ maxLength: 1 })).toThrow(RangeError);
  });
});

import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../errors.ts';
import { ClipTokenizer } from './clip-tokenizer.ts';
import { TINY_MERGES, TINY_VOCAB } from './tiny-vocab.fixture.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURE_TOKENIZER = join(REPO_ROOT, 'test', 'fixtures', 'models', 'sd15-int32', 'tokenizer');
// OpenAI CLIP's vocabulary, on development machines only (see clip-tokenizer.golden.test.ts).
const CLIP_DIR = join(REPO_ROOT, '..', 'shared', 'clip');

const PROMPTS = [
  'a photo of a cat',
  'An astronaut riding a horse on Mars, highly detailed, 8k',
  "it's a dog's life, isn't it?",
  'café crème brûlée 🐱 <|startoftext|> <|endoftext|>',
  '',
];

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stipple-tokenizer-json-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** tokenizer.json as `tokenizers` writes CLIP's, from a slow tokenizer's vocab.json and merges.txt. */
async function tokenizerJsonFrom(source: string, mergeStyle: 'strings' | 'pairs'): Promise<object> {
  const vocab = JSON.parse(await readFile(join(source, 'vocab.json'), 'utf8')) as Record<string, number>;
  const lines = (await readFile(join(source, 'merges.txt'), 'utf8')).split('\n');
  const merges = lines.filter((line) => line !== '' && !line.startsWith('#version'));
  return {
    version: '1.0',
    added_tokens: ['<|startoftext|>', '<|endoftext|>'].map((content) => ({
      id: vocab[content],
      content,
      special: true,
    })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Lowercase' }] },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', vocab['<|endoftext|>']],
      cls: ['<|startoftext|>', vocab['<|startoftext|>']],
    },
    model: {
      type: 'BPE',
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      vocab,
      merges: mergeStyle === 'strings' ? merges : merges.map((line) => line.split(' ')),
    },
  };
}

async function expectSameIds(source: string, mergeStyle: 'strings' | 'pairs'): Promise<void> {
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(await tokenizerJsonFrom(source, mergeStyle)));
  const [original, fast] = await Promise.all([ClipTokenizer.fromDirectory(source), ClipTokenizer.fromDirectory(dir)]);
  for (const prompt of PROMPTS)
    expect(fast.encodePadded(prompt).ids, prompt).toEqual(original.encodePadded(prompt).ids);
  expect(original.encode(PROMPTS[1]).ids.length).toBeGreaterThan(3);
}

describe('ClipTokenizer.fromDirectory with only tokenizer.json', () => {
  it.each(['strings', 'pairs'] as const)(
    'gives the ids of the same vocab.json and merges.txt (merges as %s)',
    async (mergeStyle) => {
      await expectSameIds(FIXTURE_TOKENIZER, mergeStyle);
    },
  );

  it.skipIf(!existsSync(join(CLIP_DIR, 'vocab.json')))("gives the real CLIP vocabulary's ids", async () => {
    await expectSameIds(CLIP_DIR, 'pairs');
  });

  it('keeps tokenizer_config.json beside it, and adds added_tokens missing from model.vocab', async () => {
    const { '<|startoftext|>': bos, '<|endoftext|>': eos, ...vocab } = TINY_VOCAB;
    const merges = TINY_MERGES.map(([a, b]) => `${a} ${b}`);
    await writeFile(
      join(dir, 'tokenizer.json'),
      JSON.stringify({
        added_tokens: [
          { id: bos, content: '<|startoftext|>' },
          { id: eos, content: '<|endoftext|>' },
        ],
        model: { type: 'BPE', end_of_word_suffix: '</w>', vocab, merges },
      }),
    );
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 5, pad_token: '!' }));
    const tokenizer = await ClipTokenizer.fromDirectory(dir);
    expect(Array.from(tokenizer.encodePadded('abc').ids)).toEqual([11, 10, 12, 0, 0]);
  });

  it("rejects a BPE that is not CLIP's, naming tokenizer.json", async () => {
    await writeFile(
      join(dir, 'tokenizer.json'),
      JSON.stringify({ model: { type: 'BPE', end_of_word_suffix: null, vocab: TINY_VOCAB, merges: [] } }),
    );
    await expect(ClipTokenizer.fromDirectory(dir)).rejects.toThrow(
      `${join(dir, 'tokenizer.json')}: model: expected CLIP's BPE (type "BPE", end_of_word_suffix "</w>")`,
    );
  });

  it('prefers vocab.json and merges.txt when the folder has both layouts', async () => {
    await copyFile(join(FIXTURE_TOKENIZER, 'vocab.json'), join(dir, 'vocab.json'));
    await copyFile(join(FIXTURE_TOKENIZER, 'merges.txt'), join(dir, 'merges.txt'));
    await writeFile(join(dir, 'tokenizer.json'), 'not json');
    expect((await ClipTokenizer.fromDirectory(dir)).encode('a cat').ids.length).toBeGreaterThan(2);
  });

  it('names vocab.json, and tokenizer.json as the alternative, when neither layout is there', async () => {
    const error = await ClipTokenizer.fromDirectory(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe('tokenizer_file_missing');
    expect((error as ModelError).message).toContain(`vocab.json (or a tokenizer.json) at ${join(dir, 'vocab.json')}`);
  });
});

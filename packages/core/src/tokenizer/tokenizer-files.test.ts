import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../errors.ts';
import { ClipTokenizer } from './clip-tokenizer.ts';
import { TINY_MERGES, TINY_MERGES_TXT, TINY_VOCAB } from './tiny-vocab.fixture.ts';
import { parseMerges, parseVocab } from './vocab-and-merges.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stipple-tokenizer-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeFolder(files: Record<string, string | object>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
}

const VALID = { 'vocab.json': TINY_VOCAB, 'merges.txt': TINY_MERGES_TXT };

/** The ModelError that loading `dir` throws. */
async function loadError(): Promise<ModelError> {
  const error = await ClipTokenizer.fromDirectory(dir).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}

describe('ClipTokenizer.fromDirectory', () => {
  it('loads vocab.json and merges.txt with CLIP defaults when there is no config', async () => {
    await writeFolder(VALID);
    const tokenizer = await ClipTokenizer.fromDirectory(dir);
    expect(tokenizer.maxLength).toBe(77);
    expect(tokenizer.padTokenId).toBe(12);
    expect(tokenizer.encode('abc').ids).toEqual([11, 10, 12]);
  });

  it('reads model_max_length and token objects from tokenizer_config.json', async () => {
    await writeFolder({
      ...VALID,
      'tokenizer_config.json': {
        model_max_length: 6,
        bos_token: { __type: 'AddedToken', content: '<|startoftext|>', lstrip: false },
        pad_token: '<|endoftext|>',
        unk_token: null,
      },
    });
    const tokenizer = await ClipTokenizer.fromDirectory(dir);
    expect(tokenizer.maxLength).toBe(6);
    expect(Array.from(tokenizer.encodePadded('a').ids)).toEqual([11, 5, 12, 12, 12, 12]);
  });

  it("reads transformers' 1e30 model_max_length (none set) as the text encoder's context", async () => {
    // transformers writes VERY_LARGE_INTEGER, int(1e30), which JSON carries as this exact integer.
    await writeFolder({ ...VALID, 'tokenizer_config.json': '{"model_max_length": 1000000000000000019884624838656}' });
    expect((await ClipTokenizer.fromDirectory(dir)).maxLength).toBe(77);
    expect((await ClipTokenizer.fromDirectory(dir, { contextLength: 8 })).maxLength).toBe(8);
  });

  it("clamps model_max_length to the text encoder's context", async () => {
    await writeFolder({ ...VALID, 'tokenizer_config.json': { model_max_length: 6 } });
    expect((await ClipTokenizer.fromDirectory(dir, { contextLength: 5 })).maxLength).toBe(5);
    expect((await ClipTokenizer.fromDirectory(dir, { contextLength: 77 })).maxLength).toBe(6);
  });

  it('lets special_tokens_map.json override tokenizer_config.json, as HF does (SD 2.x pads with "!")', async () => {
    await writeFolder({
      ...VALID,
      'tokenizer_config.json': { model_max_length: 5, pad_token: '<|endoftext|>' },
      'special_tokens_map.json': { pad_token: '!', eos_token: { content: '<|endoftext|>' } },
    });
    const tokenizer = await ClipTokenizer.fromDirectory(dir);
    expect(tokenizer.padToken).toBe('!');
    expect(Array.from(tokenizer.encodePadded('a').ids)).toEqual([11, 5, 12, 0, 0]);
  });

  it('accepts a UTF-8 BOM and CRLF line ends', async () => {
    await writeFolder({
      'vocab.json': `\ufeff${JSON.stringify(TINY_VOCAB)}`,
      'merges.txt': TINY_MERGES_TXT.replaceAll('\n', '\r\n'),
    });
    expect((await ClipTokenizer.fromDirectory(dir)).encode('abc').ids).toEqual([11, 10, 12]);
  });

  it('throws tokenizer_file_missing naming vocab.json when the folder is empty', async () => {
    const error = await loadError();
    expect(error.code).toBe('tokenizer_file_missing');
    expect(error.message).toContain(join(dir, 'vocab.json'));
    expect(error.details.path).toBe(join(dir, 'vocab.json'));
  });

  it('throws tokenizer_file_missing naming merges.txt when only it is missing', async () => {
    await writeFolder({ 'vocab.json': TINY_VOCAB });
    const error = await loadError();
    expect(error.code).toBe('tokenizer_file_missing');
    expect(error.message).toContain(join(dir, 'merges.txt'));
  });

  it('throws tokenizer_file_unreadable when a directory stands in for vocab.json', async () => {
    await mkdir(join(dir, 'vocab.json'));
    expect((await loadError()).code).toBe('tokenizer_file_unreadable');
  });

  it.each([
    ['vocab.json', '{"a": 1,', 'expected JSON, found invalid JSON'],
    ['vocab.json', '[1, 2]', 'expected a JSON object, found an array'],
    ['vocab.json', '{"a": "one"}', 'expected a non-negative integer id for "a", found "one"'],
    ['vocab.json', '{"a": -1}', 'found -1'],
    [
      'merges.txt',
      '#version: 0.2\na b\nab c </w>\n',
      'line 3: expected two symbols separated by one space, found "ab c </w>"',
    ],
    ['merges.txt', '#version: 0.2\nabc\n', 'line 2: expected two symbols'],
    ['merges.txt', 'a  b\n', 'line 1: expected two symbols'],
    ['tokenizer_config.json', 'not json', 'expected JSON'],
    ['tokenizer_config.json', '{"model_max_length": 1.5}', 'model_max_length: expected an integer of at least 2'],
    ['tokenizer_config.json', '{"model_max_length": "77"}', 'found "77"'],
    [
      'special_tokens_map.json',
      '{"pad_token": 5}',
      'pad_token: expected a string or an object with a string "content"',
    ],
    ['special_tokens_map.json', '{"bos_token": {"text": "<s>"}}', 'bos_token: expected a string'],
  ])('throws tokenizer_file_corrupt for a bad %s (%j)', async (name, content, expected) => {
    await writeFolder({ ...VALID, [name]: content });
    const error = await loadError();
    expect(error.code).toBe('tokenizer_file_corrupt');
    expect(error.message).toContain(`${join(dir, name)}: `);
    expect(error.message).toContain(expected);
  });

  it('throws tokenizer_special_token_missing naming vocab.json when it lacks the end token', async () => {
    const { '<|endoftext|>': _, ...vocab } = TINY_VOCAB;
    await writeFolder({ ...VALID, 'vocab.json': vocab });
    const error = await loadError();
    expect(error.code).toBe('tokenizer_special_token_missing');
    expect(error.message).toContain(join(dir, 'vocab.json'));
    expect(error.message).toContain('"<|endoftext|>"');
  });

  it('throws tokenizer_special_token_missing when the config names a pad token the vocabulary lacks', async () => {
    await writeFolder({ ...VALID, 'special_tokens_map.json': { pad_token: '<pad>' } });
    const error = await loadError();
    expect(error.code).toBe('tokenizer_special_token_missing');
    expect(error.message).toContain('padding (pad_token) token "<pad>"');
  });
});

describe('parseMerges', () => {
  it('skips the #version header and blank lines, and keeps a headerless first merge', () => {
    expect(parseMerges(TINY_MERGES_TXT, 'm')).toEqual(TINY_MERGES);
    expect(parseMerges('a b\n\nab c</w>\n', 'm')).toEqual([
      ['a', 'b'],
      ['ab', 'c</w>'],
    ]);
  });
});

describe('parseVocab', () => {
  it('keeps tokens that look like object keys', () => {
    expect(parseVocab('{"__proto__": 3, "constructor": 4}', 'v')).toEqual(
      new Map([
        ['__proto__', 3],
        ['constructor', 4],
      ]),
    );
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from './clip-tokenizer.ts';

// OpenAI CLIP's vocabulary lives beside the repository (../shared/clip from its root) on development machines only.
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLIP_DIR = join(REPO_ROOT, '..', 'shared', 'clip');

// Each expectation is what OpenAI CLIP's simple_tokenizer.py (with ftfy 6.3.1 and regex) returns for the prompt,
// with the start (49406) and end (49407) ids around it.
const GOLDEN: readonly (readonly [string, string])[] = [
  ['a photo of a cat', '320 1125 539 320 2368'],
  ['A Photo Of A CAT', '320 1125 539 320 2368'],
  [
    'an astronaut riding a horse on mars, highly detailed, 8k, trending on artstation',
    '550 18376 6765 320 4558 525 7496 267 5302 12609 267 279 330 267 6087 525 1486 2631',
  ],
  [
    "it's a dog's life, isn't it? we'll see, they've gone, I'm here, you'd know, we're done",
    '585 568 320 1929 568 970 267 2923 713 585 286 649 1342 862 267 889 1200 3601 267 328 880 763 267 592 1896 1038 267 649 982 1700',
  ],
  ["IT'S LOUD", '585 568 7464'],
  ["'s 't 're 've 'm 'll 'd 'x", '568 713 982 1200 880 1342 1896 262 343'],
  ['café crème brûlée', '15304 1075 12138 614 711 127 119 75 13489'],
  ['cafe\u0301', '15304'],
  ['naïve coöperation', '1097 35689 563 622 7255 703 656'],
  ['🐱 cat emoji 🚀🔥', '22979 2368 16327 22400 3016'],
  ['\ud83d\ude00 smile', '7334 3490'],
  [
    'fish &amp; chips &lt;3 &quot;quoted&quot; &#39;single&#39; &amp;amp; double',
    '2759 261 8855 283 274 257 27706 257 568 17005 262 261 3200',
  ],
  [
    '&notit; &ampx &copy2024 &hellip; &#x1F600; &#128512; &#0; &#150;',
    '126 361 585 282 261 343 5811 273 271 273 275 959 7334 7334 39802 1224',
  ],
  ['  lots   of\tspaces\n\nand newlines  ', '2958 539 9006 537 1218 3418'],
  ['1234567890 3.14 50% $100', '272 273 274 275 276 277 278 279 280 271 274 269 272 275 276 271 260 259 272 271 271'],
  [
    'smart \u201cquotes\u201d and \u2018apostrophes\u2019 it\u2019s',
    '4115 257 5808 257 537 262 4089 3121 745 542 262 585 568',
  ],
  ['\ufb01ne \ufb02owers', '3797 4023'],
  ['ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ１２３', '9407 23571 4160 272 273 274'],
  ['日本語のテキスト', '39121 44353 34002 252 21575 2429 228 47121 32421 486'],
  [
    'Ελληνικά ΣΟΦΟΣ',
    '138 113 138 119 138 119 138 115 138 121 138 117 138 118 138 361 139 225 138 123 139 228 138 123 139 480',
  ],
  ['İstanbul', '328 16384 11231'],
  ['<|startoftext|>hello<|endoftext|>world', '49406 3306 49407 1002'],
  ['<|StartOfText|> x', '49406 343'],
  [
    'masterpiece, (best quality:1.2), [lowres], {blue|red}, <lora:foo:0.8>',
    '12066 267 263 949 3027 281 272 269 273 2361 314 1049 934 34067 346 1746 347 736 92 267 283 2179 320 281 23435 281 271 269 279 285',
  ],
  ['hello!!! ... --- ???', '3306 995 678 11079 3824'],
  ["don't won't can't shouldn't", '847 713 1749 713 753 713 9416 713'],
  [
    'pneumonoultramicroscopicsilicovolcanoconiosis',
    '28714 749 20253 9800 535 532 1065 901 1556 13697 9916 78 39031 13903',
  ],
  ['zero\u200bwidth and\u00a0nbsp', '5848 9844 23571 537 6459 4393'],
  ['\x1b[31mred\x1b[0m text\x07', '736 4160'],
  ['tab\there\x85next \x9cvalue', '14724 763 959 1131 129 241 4602'],
  ['x\ufeffy', '11443'],
  ['', ''],
  ['   ', ''],
  ['a'.repeat(300), `${'23126 '.repeat(37)}19336`],
];

/** A 139-token prompt: "a beautiful landscape painting of mountains" (6 tokens) and "," twenty times over. */
const LONG_PROMPT = Array(20).fill('a beautiful landscape painting of mountains').join(', ');
const LONG_PROMPT_IDS = Array.from({ length: 139 }, (_, i) => [320, 1215, 5727, 3086, 539, 5873, 267][i % 7]);

describe.skipIf(!existsSync(join(CLIP_DIR, 'vocab.json')))('ClipTokenizer with OpenAI CLIP’s vocabulary', () => {
  let tokenizer: ClipTokenizer;

  beforeAll(async () => {
    tokenizer = await ClipTokenizer.fromDirectory(CLIP_DIR);
  });

  it('loads 49,408 entries with CLIP’s special token ids', () => {
    expect(tokenizer.bosTokenId).toBe(49406);
    expect(tokenizer.eosTokenId).toBe(49407);
    expect(tokenizer.padTokenId).toBe(49407);
    expect(tokenizer.maxLength).toBe(77);
  });

  it.each(GOLDEN)('encodes %j as CLIP does', (prompt, ids) => {
    const expected = [49406, ...ids.split(' ').filter(Boolean).map(Number), 49407];
    expect(tokenizer.encode(prompt).ids).toEqual(expected);
  });

  it('gives the tokens as vocabulary entries', () => {
    expect(tokenizer.encode('a photo of a cat').tokens).toEqual([
      '<|startoftext|>',
      'a</w>',
      'photo</w>',
      'of</w>',
      'a</w>',
      'cat</w>',
      '<|endoftext|>',
    ]);
    expect(tokenizer.encode('café').tokens.slice(1, -1)).toEqual(['cafÃ©</w>']);
  });

  it('truncates a long prompt as HF CLIPTokenizer(truncation=True, max_length=77) does', () => {
    const encoding = tokenizer.encodePadded(LONG_PROMPT);
    expect(Array.from(encoding.ids)).toEqual([49406, ...LONG_PROMPT_IDS.slice(0, 75), 49407]);
    expect(encoding.truncated).toBe(true);
    expect(encoding.droppedTokenCount).toBe(139 - 75);
  });

  it('pads a short prompt with the end token (SD 1.x)', () => {
    const encoding = tokenizer.encodePadded('a photo of a cat');
    expect(encoding.ids).toHaveLength(77);
    expect(Array.from(encoding.ids.subarray(0, 8))).toEqual([49406, 320, 1125, 539, 320, 2368, 49407, 49407]);
    expect(encoding.ids.every((id, i) => i < 7 || id === 49407)).toBe(true);
    expect(encoding.length).toBe(7);
  });

  it('decodes to the cleaned prompt', () => {
    expect(tokenizer.decode(tokenizer.encode('A Photo of a CAFÉ 🐱').ids)).toBe(
      '<|startoftext|>a photo of a café 🐱 <|endoftext|>',
    );
  });
});

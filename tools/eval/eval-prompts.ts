/**
 * The fixed evaluation set for tiny-shapes models. It is built by rule, not at random, so every run of every model
 * answers the same 48 prompts with the same seeds and the numbers can be compared across runs.
 */
import {
  COLOUR_NAMES,
  captionFor,
  completeScene,
  GRAMMAR,
  isHeldOut,
  POSITION_NAMES,
  type Scene,
  type SceneWords,
  SIZE_NAMES,
} from './shapes-grammar.ts';

/** One prompt of the evaluation set with the scene it asks for. */
export interface EvalPrompt {
  prompt: string;
  /** The scene the prompt describes, defaults filled in: what the scorer must read back. */
  scene: Scene;
  /** Fixed per prompt (a hash of its text), so an image depends only on its prompt and the model. */
  seed: number;
  /** True when the (colour, shape, background) triple was never shown in training. */
  heldOut: boolean;
}

/** In-distribution prompts: as many as the held-out part (two per held-out triple), so the parts weigh the same. */
const IN_DISTRIBUTION_COUNT = 2 * GRAMMAR.heldOut.length;

/**
 * 32-bit FNV-1a of the prompt: a seed tied to the text rather than to a list index, so reordering or extending the set
 * leaves every existing prompt's image unchanged.
 */
export function seedForPrompt(prompt: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(prompt)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const OTHER_SIZES = SIZE_NAMES.filter((name) => name !== GRAMMAR.defaultSize);
const OTHER_POSITIONS = POSITION_NAMES.filter((name) => name !== GRAMMAR.defaultPosition);

/**
 * The j-th non-default wording: cycles through the three templates that say a size, a position or both, and only
 * says non-default values, so the second prompt of a held-out triple asks for a different picture than the first.
 * Sizes advance every three steps and positions every step, so no template is tied to one size or position.
 */
function otherWording(j: number): Pick<SceneWords, 'size' | 'position'> {
  const size = OTHER_SIZES[Math.floor(j / 3) % OTHER_SIZES.length];
  const position = OTHER_POSITIONS[j % OTHER_POSITIONS.length];
  const kind = j % 3;
  if (kind === 0) return { size };
  if (kind === 1) return { position };
  return { size, position };
}

/**
 * The i-th in-distribution wording: each of the four templates for a run of six prompts, sizes stepping every second
 * prompt (shapes step every prompt, so sizes and shapes do not pair up), positions every prompt.
 */
function inDistributionWording(i: number): Pick<SceneWords, 'size' | 'position'> {
  const template = Math.floor(i / 6) % 4;
  const size = SIZE_NAMES[Math.floor(i / 2) % SIZE_NAMES.length];
  const position = POSITION_NAMES[i % POSITION_NAMES.length];
  return [{}, { size }, { position }, { size, position }][template];
}

function entry(words: SceneWords): EvalPrompt {
  const prompt = captionFor(words);
  const { colour, shape, background } = words;
  return {
    prompt,
    scene: completeScene(words),
    seed: seedForPrompt(prompt),
    heldOut: isHeldOut(colour, shape, background),
  };
}

/**
 * Every held-out triple twice: once with the default template (default size and position) and once with another
 * template naming a size, a position or both.
 */
function heldOutPrompts(): EvalPrompt[] {
  return GRAMMAR.heldOut.flatMap(([colour, shape, background], j) => [
    entry({ colour, shape, background }),
    entry({ colour, shape, background, ...otherWording(j) }),
  ]);
}

/**
 * A fixed walk over (colour, shape, background): prompt i takes colour i mod 8 and shape i mod 3 (8 and 3 are
 * coprime, so 24 prompts meet every colour–shape pair exactly once) and the (i mod 7)-th other colour as background,
 * stepping on to the next one past a held-out triple. Wordings cycle through all four templates.
 */
function inDistributionPrompts(): EvalPrompt[] {
  const prompts: EvalPrompt[] = [];
  for (let i = 0; i < IN_DISTRIBUTION_COUNT; i++) {
    const colour = COLOUR_NAMES[i % COLOUR_NAMES.length];
    const shape = GRAMMAR.shapes[i % GRAMMAR.shapes.length];
    const others = COLOUR_NAMES.filter((name) => name !== colour);
    let step = i % others.length;
    while (isHeldOut(colour, shape, others[step % others.length])) step++;
    const background = others[step % others.length];
    prompts.push(entry({ colour, shape, background, ...inDistributionWording(i) }));
  }
  return prompts;
}

/** Builds the evaluation set: the in-distribution part, then the held-out part. Same output on every call. */
export function buildEvalPrompts(): EvalPrompt[] {
  return [...inDistributionPrompts(), ...heldOutPrompts()];
}

/** The evaluation set. */
export const EVAL_PROMPTS: readonly EvalPrompt[] = buildEvalPrompts();

import { describe, expect, it } from 'vitest';
import { buildEvalPrompts, EVAL_PROMPTS, seedForPrompt } from './eval-prompts.ts';
import { COLOUR_NAMES, completeScene, GRAMMAR, isHeldOut, parseCaption } from './shapes-grammar.ts';

const inDistribution = EVAL_PROMPTS.filter((item) => !item.heldOut);
const heldOut = EVAL_PROMPTS.filter((item) => item.heldOut);
const triple = ({ scene }: (typeof EVAL_PROMPTS)[number]) => `${scene.colour}/${scene.shape}/${scene.background}`;

describe('the evaluation set', () => {
  it('is the same on every build, and pinned (changing it makes old numbers incomparable)', () => {
    expect(buildEvalPrompts()).toEqual(EVAL_PROMPTS);
    expect(EVAL_PROMPTS).toHaveLength(48);
    expect(EVAL_PROMPTS[0]).toEqual({
      prompt: 'a red circle on a green background',
      scene: { colour: 'red', shape: 'circle', background: 'green', size: 'medium', position: 'center' },
      seed: 1863934146,
      heldOut: false,
    });
    expect(EVAL_PROMPTS[47]).toEqual({
      prompt: 'a large green triangle at the bottom right, orange background',
      scene: { colour: 'green', shape: 'triangle', background: 'orange', size: 'large', position: 'bottom right' },
      seed: 3459340279,
      heldOut: true,
    });
  });

  it('has at least 24 prompts in each part, all different, with a fixed seed per prompt', () => {
    expect(inDistribution.length).toBeGreaterThanOrEqual(24);
    expect(heldOut.length).toBeGreaterThanOrEqual(24);
    expect(new Set(EVAL_PROMPTS.map((item) => item.prompt)).size).toBe(EVAL_PROMPTS.length);
    for (const item of EVAL_PROMPTS) {
      expect(item.seed).toBe(seedForPrompt(item.prompt));
      expect(Number.isInteger(item.seed) && item.seed >= 0 && item.seed <= 0xffffffff).toBe(true);
    }
  });

  it('marks as held out exactly the prompts whose triple is held out', () => {
    for (const item of EVAL_PROMPTS) {
      expect(item.heldOut, item.prompt).toBe(isHeldOut(item.scene.colour, item.scene.shape, item.scene.background));
    }
  });

  it('asks for every held-out triple with the default wording and with another template naming other values', () => {
    const all = GRAMMAR.heldOut.map(([colour, shape, background]) => `${colour}/${shape}/${background}`);
    expect(new Set(heldOut.map(triple))).toEqual(new Set(all));
    for (const [colour, shape, background] of GRAMMAR.heldOut) {
      const prompts = heldOut.filter((item) => triple(item) === `${colour}/${shape}/${background}`);
      expect(prompts.map((item) => item.prompt)).toContain(`a ${colour} ${shape} on a ${background} background`);
      const other = prompts.filter((item) => item.prompt !== `a ${colour} ${shape} on a ${background} background`);
      expect(other.length).toBeGreaterThanOrEqual(1);
      for (const item of other) {
        const changed = item.scene.size !== GRAMMAR.defaultSize || item.scene.position !== GRAMMAR.defaultPosition;
        expect(changed, item.prompt).toBe(true);
      }
    }
  });

  it('covers every colour, shape and background in the in-distribution part, and all four templates', () => {
    expect(new Set(inDistribution.map((item) => item.scene.colour))).toEqual(new Set(COLOUR_NAMES));
    expect(new Set(inDistribution.map((item) => item.scene.shape))).toEqual(new Set(GRAMMAR.shapes));
    expect(new Set(inDistribution.map((item) => item.scene.background))).toEqual(new Set(COLOUR_NAMES));
    const templateOf = (prompt: string) => {
      const words = parseCaption(prompt);
      return `${words?.size !== undefined}/${words?.position !== undefined}`;
    };
    expect(new Set(inDistribution.map((item) => templateOf(item.prompt))).size).toBe(GRAMMAR.templates.length);
    for (const item of inDistribution) expect(item.scene.colour).not.toBe(item.scene.background);
  });

  it('has captions that the grammar parses back to their scenes', () => {
    for (const item of EVAL_PROMPTS) {
      const words = parseCaption(item.prompt);
      expect(words, item.prompt).toBeDefined();
      expect(completeScene(words!), item.prompt).toEqual(item.scene);
    }
    expect(parseCaption('a red hexagon on a blue background')).toBeUndefined();
  });
});

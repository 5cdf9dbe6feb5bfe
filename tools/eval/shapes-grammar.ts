/**
 * The tiny-shapes world as TypeScript sees it: `tools/forge/shapes/shapes-grammar.json` is the one description the
 * forge (training data) and this evaluator (prompts and scoring) share, so it is read here rather than copied.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** An 8-bit RGB triple. */
export type Rgb = readonly [number, number, number];

/** The shapes the world knows; the JSON is checked against this list when it is read. */
export const SHAPE_NAMES = ['circle', 'square', 'triangle'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** The grammar file, typed. Colour, size and position names are the JSON's keys, in the JSON's order. */
export interface ShapesGrammar {
  imageSize: number;
  colours: Record<string, Rgb>;
  shapes: readonly ShapeName[];
  /** Side of the shape's bounding square in pixels, per size word. */
  sizes: Record<string, number>;
  defaultSize: string;
  /** Centre of the shape's bounding square (x, y), y growing downwards, per position word. */
  positions: Record<string, readonly [number, number]>;
  defaultPosition: string;
  /** Caption templates with `{colour}`, `{shape}`, `{background}` and optionally `{size}`, `{position}`. */
  templates: readonly string[];
  /** (colour, shape, background) triples never shown in training. */
  heldOut: readonly (readonly [string, ShapeName, string])[];
}

/** What a caption may say. Size and position are optional: a caption without them means the defaults. */
export interface SceneWords {
  colour: string;
  shape: ShapeName;
  background: string;
  size?: string;
  position?: string;
}

/** A scene with every word decided (defaults filled in): what a renderer draws and a scorer checks against. */
export type Scene = Required<SceneWords>;

/** Where the grammar lives, relative to this file (not the working directory, so any caller finds it). */
export const GRAMMAR_PATH = resolve(import.meta.dirname, '../forge/shapes/shapes-grammar.json');

function fail(message: string): never {
  throw new Error(`${GRAMMAR_PATH}: ${message}`);
}

/** Reads and checks the grammar: a typo in the JSON should stop the evaluator, not skew its numbers. */
export function loadShapesGrammar(path: string = GRAMMAR_PATH): ShapesGrammar {
  const grammar = JSON.parse(readFileSync(path, 'utf8')) as ShapesGrammar;
  const colours = Object.keys(grammar.colours);
  for (const shape of grammar.shapes) {
    if (!SHAPE_NAMES.includes(shape)) fail(`unknown shape "${shape}"`);
  }
  if (!(grammar.defaultSize in grammar.sizes)) fail(`defaultSize "${grammar.defaultSize}" is not a size`);
  if (!(grammar.defaultPosition in grammar.positions)) fail(`defaultPosition "${grammar.defaultPosition}" is unknown`);
  for (const [colour, shape, background] of grammar.heldOut) {
    if (!colours.includes(colour) || !colours.includes(background) || !grammar.shapes.includes(shape)) {
      fail(`held-out triple ${colour}/${shape}/${background} is not in the grammar`);
    }
  }
  return grammar;
}

/** The grammar, read once at import. */
export const GRAMMAR: ShapesGrammar = loadShapesGrammar();
export const COLOUR_NAMES: readonly string[] = Object.keys(GRAMMAR.colours);
export const SIZE_NAMES: readonly string[] = Object.keys(GRAMMAR.sizes);
export const POSITION_NAMES: readonly string[] = Object.keys(GRAMMAR.positions);

/** The template that says exactly the words given: size and position appear only when the scene names them. */
export function templateIndexFor(words: SceneWords): number {
  const index = GRAMMAR.templates.findIndex(
    (template) =>
      template.includes('{size}') === (words.size !== undefined) &&
      template.includes('{position}') === (words.position !== undefined),
  );
  if (index < 0)
    throw new Error(`no template says size=${words.size !== undefined}, position=${words.position !== undefined}`);
  return index;
}

/** The caption the training data uses for these words (the forge's `Scene.caption`). */
export function captionFor(words: SceneWords): string {
  const fields: Record<string, string | undefined> = { ...words };
  return GRAMMAR.templates[templateIndexFor(words)].replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = fields[key];
    if (value === undefined) throw new Error(`caption template needs {${key}}`);
    return value;
  });
}

/** Fills in the default size and position a caption leaves unsaid. */
export function completeScene(words: SceneWords): Scene {
  return {
    colour: words.colour,
    shape: words.shape,
    background: words.background,
    size: words.size ?? GRAMMAR.defaultSize,
    position: words.position ?? GRAMMAR.defaultPosition,
  };
}

/** True when this (colour, shape, background) triple was kept out of training. */
export function isHeldOut(colour: string, shape: string, background: string): boolean {
  return GRAMMAR.heldOut.some(([c, s, b]) => c === colour && s === shape && b === background);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alternatives(names: readonly string[]): string {
  // Longest first, so "top left" is tried before a shorter name it might start with.
  return `(${[...names]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')})`;
}

/** One regular expression per template, capturing its words by name. */
const TEMPLATE_PATTERNS = GRAMMAR.templates.map((template) => {
  const slots: Record<string, readonly string[]> = {
    colour: COLOUR_NAMES,
    background: COLOUR_NAMES,
    shape: GRAMMAR.shapes,
    size: SIZE_NAMES,
    position: POSITION_NAMES,
  };
  const keys: string[] = [];
  const source = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const slot = /^\{(\w+)\}$/.exec(part)?.[1];
      if (slot === undefined) return escapeRegExp(part);
      keys.push(slot);
      return alternatives(slots[slot]);
    })
    .join('');
  return { pattern: new RegExp(`^${source}$`), keys };
});

/** Reads a caption back into its words; undefined when no template produces it. The inverse of `captionFor`. */
export function parseCaption(caption: string): SceneWords | undefined {
  for (const { pattern, keys } of TEMPLATE_PATTERNS) {
    const match = pattern.exec(caption);
    if (!match) continue;
    const words: Record<string, string> = {};
    keys.forEach((key, i) => {
      words[key] = match[i + 1];
    });
    return words as unknown as SceneWords;
  }
  return undefined;
}

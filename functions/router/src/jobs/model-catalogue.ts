import { ApiError } from '../errors/api-error.ts';

/** A model the router offers, with the defaults it prices a job by when the request leaves them out. */
export interface CatalogueModel {
  id: string;
  width: number;
  height: number;
  steps: number;
  /**
   * The sizes it draws, `WIDTHxHEIGHT`: its own (`width`×`height`, first) and those `MODELS` lists under `sizes`.
   * A diffusion model asked for a size far from the ones it was trained at burns minutes and draws noise.
   */
  sizes: string[];
}

/** The default catalogue: the model every Stipple worker ships (models/tiny-shapes: 64² only, 20 steps). */
const DEFAULT_MODELS = '{"tiny-shapes":{"width":64,"height":64,"steps":20}}';

/** One `MODELS` entry as written: `sizes` is optional. */
type CatalogueEntry = Omit<CatalogueModel, 'id' | 'sizes'> & { sizes?: string[] };

/**
 * `MODELS` (JSON `{ "<id>": { width, height, steps, sizes? } }`, the first is the default) read into a catalogue.
 * A model draws its own size and those in `sizes` (e.g. `["512x512", "768x512"]`), nothing else.
 */
export function readCatalogue(json: string | undefined): CatalogueModel[] {
  const parsed = JSON.parse(json || DEFAULT_MODELS) as Record<string, CatalogueEntry>;
  return Object.entries(parsed).map(([id, { sizes = [], ...defaults }]) => {
    const malformed = sizes.find((size) => !/^\d+x\d+$/.test(size));
    if (malformed !== undefined) {
      throw new Error(`MODELS["${id}"].sizes: ${JSON.stringify(malformed)} is not WIDTHxHEIGHT, such as "512x512"`);
    }
    return { id, ...defaults, sizes: [...new Set([`${defaults.width}x${defaults.height}`, ...sizes])] };
  });
}

/** The requested model, or the default; an unknown id is a 404 naming the ones offered. */
export function findModel(catalogue: readonly CatalogueModel[], requested: string | undefined): CatalogueModel {
  if (requested === undefined) return catalogue[0];
  const model = catalogue.find((entry) => entry.id === requested);
  if (model) return model;
  throw new ApiError(
    404,
    'model_not_found',
    `model "${requested}" is not offered here; use one of ${catalogue.map((entry) => entry.id).join(', ')}`,
    { param: 'model' },
  );
}

/**
 * A 400 unless the model draws `width`×`height`, naming the sizes it does. `param`: the request's field for the size
 * (`size` on OpenAI's endpoint); by default `width`, or `height` when the width is one the model draws.
 */
export function checkModelSize(model: CatalogueModel, width: number, height: number, param?: string): void {
  const size = `${width}x${height}`;
  if (model.sizes.includes(size)) return;
  const widthDrawn = model.sizes.some((drawn) => drawn.startsWith(`${width}x`));
  throw new ApiError(
    400,
    'size_not_supported',
    `size ${size} is not one model ${model.id} draws; use ${model.sizes.join(', ')}`,
    { param: param ?? (widthDrawn ? 'height' : 'width') },
  );
}

import { ApiError } from '../errors/api-error.ts';

/** A model the router offers, with the defaults it prices a job by when the request leaves them out. */
export interface CatalogueModel {
  id: string;
  width: number;
  height: number;
  steps: number;
}

/** The default catalogue: the model every Stipple worker ships (models/tiny-shapes, 64², 20 steps). */
const DEFAULT_MODELS = '{"tiny-shapes":{"width":64,"height":64,"steps":20}}';

/** `MODELS` (JSON `{ "<id>": { width, height, steps } }`, the first is the default) read into a catalogue. */
export function readCatalogue(json: string | undefined): CatalogueModel[] {
  const parsed = JSON.parse(json || DEFAULT_MODELS) as Record<string, Omit<CatalogueModel, 'id'>>;
  return Object.entries(parsed).map(([id, defaults]) => ({ id, ...defaults }));
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

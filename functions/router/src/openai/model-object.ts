import type { CatalogueModel } from '../jobs/model-catalogue.ts';

/** A model as `GET /v1/models` lists it: OpenAI's `Model` shape, plus the sizes it draws (its own first). */
export interface ModelObject {
  id: string;
  object: 'model';
  /** Unix seconds; 0 (unknown) for every catalogue model. */
  created: number;
  owned_by: string;
  /** `WIDTHxHEIGHT`, the model's own size first. */
  sizes: string[];
}

export function modelObject(model: CatalogueModel): ModelObject {
  return {
    id: model.id,
    object: 'model',
    // The catalogue records no dates; 0 (the Unix epoch) says "unknown" while keeping OpenAI's integer type.
    created: 0,
    owned_by: 'stipple',
    sizes: model.sizes,
  };
}

import type { CatalogueModel } from '../jobs/model-catalogue.ts';

/** A catalogue model in OpenAI's `Model` shape, plus the sizes it draws (its own first). */
export function modelObject(model: CatalogueModel) {
  return {
    id: model.id,
    object: 'model' as const,
    // The catalogue records no dates; 0 (the Unix epoch) says "unknown" while keeping OpenAI's integer type.
    created: 0,
    owned_by: 'stipple',
    sizes: model.sizes,
  };
}

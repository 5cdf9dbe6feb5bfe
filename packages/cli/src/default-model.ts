import { resolve } from 'node:path';

/**
 * The model `stipple` uses without `--model`: tiny-shapes, trained by the project and shipped in the repository
 * (models/tiny-shapes, see its MODEL_CARD.md), so a fresh clone makes real images with no download.
 */
export const DEFAULT_MODEL_DIR = resolve(import.meta.dirname, '../../../models/tiny-shapes');

import type { ContentFilter } from '@stipple/jobs';
import type { Tensor } from '../backend/model-session.ts';
import { floatTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import { StageTimer } from '../pipeline/stage-timer.ts';
import { preprocessClipImage } from './clip-image-processor.ts';
import { type SafetyChecker, SCORE_OUTPUTS } from './safety-checker.ts';

/** What an image gets when no checker looked at it: never read as "safe". */
export const NOT_CHECKED: ContentFilter = { checked: false, flagged: false };

/** Scores are margins of cosines; six decimals keep them exact enough and the JSON short. */
const SCORE_DECIMALS = 1e6;

function scoreEntries(prefix: string, tensor: Tensor): [string, number][] {
  return Array.from(readFloatTensor(tensor), (score, i) => [
    `${prefix}_${i}`,
    Math.round(score * SCORE_DECIMALS) / SCORE_DECIMALS,
  ]);
}

/**
 * Runs the checker on one 8-bit RGB image, as diffusers' `OnnxStableDiffusionPipeline` does (one image per call):
 * `clip_input` from the feature extractor's preprocessing, `images` the pixels scaled to [0, 1] (the graph blacks out
 * flagged ones in `out_images`, which the engine does not read). `flagged` is the graph's `has_nsfw_concepts`; `scores`
 * (`special_0…`, `concept_0…`, each a cosine minus its threshold, flagged when a concept's is above 0) come only from a
 * graph that outputs them.
 */
export async function checkImageSafety(
  checker: SafetyChecker,
  image: { pixels: Uint8Array; width: number; height: number },
  timer = new StageTimer(),
): Promise<ContentFilter> {
  const { session, contract, preprocessor, name } = checker;
  const feeds = timer.measure('safetyCheckerMs', () => {
    const clipInput = preprocessClipImage(image, preprocessor);
    const images = Float32Array.from(image.pixels, (value) => value / 255);
    return {
      clip_input: floatTensor(clipInput.data, contract.clipInputType, [1, ...clipInput.dims]),
      images: floatTensor(images, contract.imagesType, [1, image.height, image.width, 3]),
    };
  });
  const outputs = await timer.run('safetyCheckerMs', session, feeds);
  // ONNX Runtime hands bool tensors over as one byte (or boolean) per element.
  const flagged = Boolean(Number((outputs.has_nsfw_concepts.data as ArrayLike<number | boolean>)[0]));
  if (!contract.hasScores) return { checked: true, flagged, checkedBy: name };
  const scores = Object.fromEntries([
    ...scoreEntries('special', outputs[SCORE_OUTPUTS.special]),
    ...scoreEntries('concept', outputs[SCORE_OUTPUTS.concept]),
  ]);
  return { checked: true, flagged, checkedBy: name, scores };
}

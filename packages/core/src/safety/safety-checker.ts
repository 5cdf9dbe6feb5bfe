import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSession, ValueInfo } from '../backend/model-session.ts';
import { ModelError } from '../errors.ts';
import { expectType, FLOATS, findInput, rejectUnknownInputs } from '../model/component-contract.ts';
import { readModelJson } from '../model/read-model-json.ts';
import { type ClipImageProcessorConfig, readClipImageProcessorConfig } from './clip-image-processor.ts';

/** The folder of diffusers' `StableDiffusionSafetyChecker` export, and what reports name as `checkedBy`. */
export const SAFETY_CHECKER = 'safety_checker';
/** The folder of the checker's `CLIPImageProcessor` settings (`preprocessor_config.json`). */
export const FEATURE_EXTRACTOR = 'feature_extractor';

/** The verdict output of diffusers' `forward_onnx` export: bool `[batch]`. */
const VERDICT_OUTPUT = 'has_nsfw_concepts';
/**
 * The margins `forward_onnx` computes and drops: `special_scores` `[batch, 3]` and `concept_scores` `[batch, 17]`. Only
 * an export that adds them as outputs has them (docs/SAFETY.md, "Scores"); diffusers' and Optimum's do not.
 */
export const SCORE_OUTPUTS = { special: 'special_scores', concept: 'concept_scores' } as const;

export interface SafetyCheckerContract {
  clipInputType: 'float32' | 'float16';
  imagesType: 'float32' | 'float16';
  /** Whether the graph outputs `special_scores` and `concept_scores` besides its verdict. */
  hasScores: boolean;
}

/** A model folder's image safety checker, opened with the model and used for every image it makes. */
export interface SafetyChecker {
  /** What checked an image, as reports name it: the folder, `safety_checker`. */
  readonly name: string;
  readonly session: ModelSession;
  readonly contract: SafetyCheckerContract;
  /** How an image becomes the checker's `clip_input` (from `feature_extractor/preprocessor_config.json`). */
  readonly preprocessor: ClipImageProcessorConfig;
}

function describe(values: readonly ValueInfo[]): string {
  return values.map((value) => `${value.name}: ${value.type}[${value.shape.join(', ')}]`).join(', ');
}

/** What the engine feeds and reads: diffusers' `forward_onnx` export (`convert_stable_diffusion_checkpoint_to_onnx.py`). */
export function readSafetyCheckerContract(
  file: string,
  session: ModelSession,
  preprocessor: ClipImageProcessorConfig,
): SafetyCheckerContract {
  rejectUnknownInputs(file, session, ['clip_input', 'images']);
  const clipInput = findInput(file, session, 'clip_input', 'float32 or float16 [batch, 3, 224, 224]');
  const images = findInput(file, session, 'images', 'float32 or float16 [batch, height, width, 3]');
  const verdict = session.outputs.find((output) => output.name === VERDICT_OUTPUT);
  if (verdict?.type !== 'bool') {
    const expected = `output "${VERDICT_OUTPUT}": bool [batch]`;
    throw new ModelError(
      'model_contract_mismatch',
      `${file} has no ${expected} (found ${describe(session.outputs)}); export the checker's forward_onnx as diffusers does`,
      { file, expected, found: describe(session.outputs) },
    );
  }
  const [height, width] = clipInput.shape.slice(2);
  const crop = preprocessor.crop;
  const fixed = typeof height === 'number' && typeof width === 'number';
  if (fixed && crop && (height !== crop.height || width !== crop.width)) {
    throw new ModelError(
      'model_contract_mismatch',
      `${file} input "clip_input" is ${height}×${width} but ${FEATURE_EXTRACTOR}/preprocessor_config.json crops to ${crop.height}×${crop.width}`,
      { file, input: 'clip_input', expected: [crop.height, crop.width], found: [height, width] },
    );
  }
  const names = session.outputs.map((output) => output.name);
  return {
    clipInputType: expectType(file, clipInput, FLOATS),
    imagesType: expectType(file, images, FLOATS),
    hasScores: names.includes(SCORE_OUTPUTS.special) && names.includes(SCORE_OUTPUTS.concept),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The model folder's `safety_checker/` with its `feature_extractor/`, opened by `open`; `undefined` when the folder has
 * no checker. A checker without its preprocessor settings is an error, as in diffusers (it cannot be fed faithfully).
 */
export async function loadSafetyChecker(
  dir: string,
  open: (component: string) => Promise<ModelSession>,
): Promise<SafetyChecker | undefined> {
  const file = join(dir, SAFETY_CHECKER, 'model.onnx');
  if (!(await exists(file))) return undefined;
  const configFile = join(dir, FEATURE_EXTRACTOR, 'preprocessor_config.json');
  const config = await readModelJson(configFile);
  if (config === undefined) {
    throw new ModelError(
      'model_file_missing',
      `${configFile} is missing; ${file} needs its feature extractor's settings to see images as it was calibrated`,
      { path: configFile },
    );
  }
  const preprocessor = readClipImageProcessorConfig(configFile, config);
  const session = await open(SAFETY_CHECKER);
  try {
    return {
      name: SAFETY_CHECKER,
      session,
      preprocessor,
      contract: readSafetyCheckerContract(file, session, preprocessor),
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}

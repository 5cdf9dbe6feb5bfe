import { formatForOutput } from './output-paths.ts';
import { parseNumber, requireFlag } from './parse-number.ts';

/** The flags `generate` and `remote generate` share (as `parseArgs` options; every value arrives as text). */
export const GENERATION_OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  steps: { type: 'string' },
  guidance: { type: 'string' },
  scheduler: { type: 'string' },
  seed: { type: 'string' },
  n: { type: 'string' },
  'clip-skip': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
} as const;

type GenerationFlagValues = Partial<Record<keyof typeof GENERATION_OPTIONS, string>>;

/** The shared flags checked and read: numbers parsed, `--prompt` and `--out` required, the format settled. */
export function readGenerationFlags(values: GenerationFlagValues) {
  const out = requireFlag('out', values.out);
  return {
    out,
    format: formatForOutput(out, values.format),
    model: values.model,
    prompt: requireFlag('prompt', values.prompt),
    negativePrompt: values.negative,
    width: parseNumber('width', values.width),
    height: parseNumber('height', values.height),
    steps: parseNumber('steps', values.steps),
    guidance: parseNumber('guidance', values.guidance),
    scheduler: values.scheduler,
    seed: parseNumber('seed', values.seed),
    n: parseNumber('n', values.n),
    clipSkip: parseNumber('clip-skip', values['clip-skip']),
  };
}

import { parseArgs } from 'node:util';
import {
  createScheduler,
  loadModel,
  type StableDiffusionModel,
  schedulerNameForClass,
  type ValueInfo,
} from '@stipple/core';
import { DEFAULT_MODEL_DIR } from './default-model.ts';

export const INFO_USAGE = 'stipple-cli info [--model DIR] [--json]';

function describeValue(value: ValueInfo): string {
  return `${value.name} ${value.type}[${value.shape.join(', ')}]`;
}

function describeModel(model: StableDiffusionModel) {
  const component = (session: StableDiffusionModel['unet']['session']) => ({
    inputs: session.inputs.map(describeValue),
    outputs: session.outputs.map(describeValue),
  });
  const schedulerName = schedulerNameForClass(model.scheduler.className, model.scheduler.config);
  const scheduler = createScheduler(schedulerName ?? 'euler', model.scheduler.config);
  return {
    id: model.id,
    dir: model.dir,
    family: model.family.family,
    familyReason: model.family.reason,
    weightsHash: model.weightsHash,
    components: {
      ...Object.fromEntries(model.textEncoders.map((encoder) => [encoder.name, component(encoder.session)])),
      unet: component(model.unet.session),
      vae_decoder: {
        ...component(model.vaeDecoder.session),
        scalingFactor: model.vaeDecoder.scalingFactor,
        spatialFactor: model.vaeDecoder.spatialFactor,
        ...model.vaeDecoder.upcast,
      },
    },
    /** The image safety checker (`safety_checker/`), or null: then every image is reported unchecked. */
    safetyChecker: model.safetyChecker
      ? { ...component(model.safetyChecker.session), scores: model.safetyChecker.contract.hasScores }
      : null,
    hasVaeEncoder: model.hasVaeEncoder,
    tokenizer: { window: model.tokenizer.maxLength, padToken: model.tokenizer.padToken },
    scheduler: {
      shipped: model.scheduler.className,
      default: scheduler.name,
      implemented: schedulerName !== undefined,
      config: scheduler.config,
    },
    defaults: { ...model.defaultSize, ...model.defaults },
    load: model.load,
  };
}

function describeLoad({ stagesMs, weightsHash, safetyChecker }: StableDiffusionModel['load']): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const hashed = `${weightsHash.hashedFiles} of ${weightsHash.files} weight files read, the rest cached`;
  const checker = safetyChecker ? `, safety checker ${ms(safetyChecker.ms)}` : '';
  return `${ms(stagesMs.total)}: configs ${ms(stagesMs.configs)}, sessions ${ms(stagesMs.sessions)}${checker}, weights hash ${ms(stagesMs.weightsHash)} (${hashed}, alongside the sessions)`;
}

function printText(info: ReturnType<typeof describeModel>): void {
  const lines = [
    `model         ${info.id} (${info.dir})`,
    `family        ${info.family}: ${info.familyReason}`,
    `weights       sha256 ${info.weightsHash}`,
    `defaults      ${info.defaults.width}x${info.defaults.height}, ${info.defaults.steps} steps, guidance ${info.defaults.guidance}`,
    `tokenizer     ${info.tokenizer.window}-token window, pads with ${JSON.stringify(info.tokenizer.padToken)}`,
    `load          ${describeLoad(info.load)}`,
  ];
  for (const [name, component] of Object.entries(info.components)) {
    lines.push(
      `${`${name} `.padEnd(14)}in:  ${component.inputs.join(', ')}`,
      `${''.padEnd(14)}out: ${component.outputs.join(', ')}`,
    );
  }
  const { vae_decoder: vae } = info.components;
  lines.push(
    `${''.padEnd(14)}scaling factor ${vae.scalingFactor}, spatial factor ${vae.spatialFactor}, decodes with ${vae.component}/ (force_upcast ${vae.forceUpcast})`,
  );
  const checker = info.safetyChecker;
  if (checker) {
    lines.push(
      `safety        in:  ${checker.inputs.join(', ')}`,
      `${''.padEnd(14)}out: ${checker.outputs.join(', ')}`,
      `${''.padEnd(14)}checks every image: the verdict${checker.scores ? ' and its scores' : ' (no scores in this export)'}`,
    );
  } else {
    lines.push('safety        no safety_checker/: images are reported unchecked (docs/SAFETY.md)');
  }
  const note = info.scheduler.implemented
    ? ''
    : ` (not implemented here; ${info.scheduler.default} with its configuration)`;
  lines.push(`scheduler     ${info.scheduler.shipped} -> ${info.scheduler.default}${note}`);
  for (const [key, value] of Object.entries(info.scheduler.config))
    lines.push(`${''.padEnd(14)}${key}: ${JSON.stringify(value)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function infoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { model: { type: 'string' }, json: { type: 'boolean' } },
  });
  const model = await loadModel(values.model ?? DEFAULT_MODEL_DIR);
  try {
    const info = describeModel(model);
    if (values.json) process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    else printText(info);
    return 0;
  } finally {
    await model.release();
  }
}

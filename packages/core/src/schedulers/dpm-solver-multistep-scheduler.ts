import type { RandomGenerator } from '../noise/random-generator.ts';
import { f32, interpAtIndex, linspace, roundHalfEven, weightedSum } from './array-math.ts';
import { computeAlphasCumprod } from './beta-schedule.ts';
import { type DpmSolverMultistepConfig, readDpmSolverConfig } from './dpm-solver-config.ts';
import { dpmSolverUpdate, solverPoint } from './dpm-solver-updates.ts';
import type { Scheduler, SchedulerStepResult } from './scheduler.ts';
import { timestepsNotSet, validateInferenceSteps } from './scheduler-config.ts';
import { firstTrainingSigma, karrasSigmas, logSigmas, sigmaToT, trainingSigmas } from './sigma-schedule.ts';
import { dpmSolverTimesteps } from './timestep-spacing.ts';

/**
 * Multistep DPM-Solver / DPM-Solver++ (Lu et al. 2022), ported from diffusers scheduling_dpmsolver_multistep.py. The
 * default config is "DPM++ 2M"; with `use_karras_sigmas` it is "DPM++ 2M Karras". Deterministic (no SDE variants).
 */
export class DPMSolverMultistepScheduler implements Scheduler {
  /** `dpmpp-2m-karras` with Karras sigmas, else `dpmpp-2m`; `config` records the actual order and algorithm. */
  readonly name: string;
  readonly className = 'DPMSolverMultistepScheduler';
  readonly config: DpmSolverMultistepConfig;
  readonly initNoiseSigma = 1;
  /** Cumulative product of `1 - β` over the training timesteps (float32). */
  readonly alphasCumprod: Float32Array;
  /** Sigmas of the current schedule plus the final one (float32), one more than `timesteps`. */
  sigmas: Float32Array;
  timesteps: number[];
  private numInferenceSteps: number | null = null;
  private stepIndex: number | null = null;
  /** Converted outputs of the last `solver_order` steps, oldest first (diffusers `model_outputs`). */
  private modelOutputs: (Float32Array | null)[] = [];
  private lowerOrderNums = 0;

  constructor(config: Readonly<Record<string, unknown>> = {}) {
    this.config = readDpmSolverConfig(config);
    this.name = this.config.use_karras_sigmas ? 'dpmpp-2m-karras' : 'dpmpp-2m';
    this.alphasCumprod = computeAlphasCumprod(this.config, { zeroSnrFloor: true });
    this.sigmas = trainingSigmas(this.alphasCumprod);
    const trainSteps = this.config.num_train_timesteps;
    this.timesteps = linspace(0, trainSteps - 1, trainSteps)
      .map(f32)
      .reverse();
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    validateInferenceSteps(this.className, numInferenceSteps, c.num_train_timesteps);
    // Timesteps whose λ = ln α − ln σ falls below lambda_min_clipped are cut from the top of the range.
    const lambdas = this.alphasCumprod.map(
      (a) => f32(Math.log(f32(Math.sqrt(a)))) - f32(Math.log(f32(Math.sqrt(f32(1 - a))))),
    );
    const clipped = lambdas.filter((lambda) => lambda < c.lambda_min_clipped).length;
    const lastTimestep = c.num_train_timesteps - clipped;
    let timesteps = dpmSolverTimesteps(
      c.timestep_spacing,
      c.num_train_timesteps,
      lastTimestep,
      numInferenceSteps,
      c.steps_offset,
    );
    const training = trainingSigmas(this.alphasCumprod);
    let sigmas: number[];
    if (c.use_karras_sigmas) {
      sigmas = karrasSigmas(training[0], training[training.length - 1], numInferenceSteps);
      const logs = logSigmas(training);
      // Karras timesteps are rounded to integers except for the cosine schedule, then cast to int64 (truncation).
      const round = c.beta_schedule === 'squaredcos_cap_v2' ? (t: number) => t : roundHalfEven;
      timesteps = sigmas.map((sigma) => Math.trunc(round(sigmaToT(sigma, logs))));
    } else {
      sigmas = timesteps.map((t) => interpAtIndex(t, training));
    }
    const last = c.final_sigmas_type === 'sigma_min' ? firstTrainingSigma(this.alphasCumprod) : 0;
    this.sigmas = Float32Array.from([...sigmas, last]);
    this.timesteps = timesteps;
    this.numInferenceSteps = timesteps.length;
    this.modelOutputs = new Array(c.solver_order).fill(null);
    this.lowerOrderNums = 0;
    this.stepIndex = null;
  }

  /** Identity: DPM-Solver feeds the UNet the sample as is. */
  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  step(
    modelOutput: Float32Array,
    timestep: number,
    sample: Float32Array,
    _generator?: RandomGenerator,
  ): SchedulerStepResult {
    if (this.numInferenceSteps === null) throw timestepsNotSet(this.className);
    const c = this.config;
    this.stepIndex ??= this.indexForTimestep(timestep);
    const index = this.stepIndex;
    const count = this.timesteps.length;
    const shortSchedule = c.lower_order_final && count < 15;
    const lowerOrderFinal =
      index === count - 1 && (c.euler_at_final || shortSchedule || c.final_sigmas_type === 'zero');
    const lowerOrderSecond = index === count - 2 && shortSchedule;

    const { converted, predOriginalSample } = this.convertModelOutput(modelOutput, sample, index);
    this.modelOutputs.shift();
    this.modelOutputs.push(converted);

    let order: 1 | 2 | 3 = 3;
    if (c.solver_order === 1 || this.lowerOrderNums < 1 || lowerOrderFinal) order = 1;
    else if (c.solver_order === 2 || this.lowerOrderNums < 2 || lowerOrderSecond) order = 2;
    const points = [index + 1, index, index - 1, index - 2].slice(0, order + 1).map((i) => solverPoint(this.sigmas[i]));
    const outputs = this.modelOutputs.slice(-order).reverse() as Float32Array[];
    const prevSample = dpmSolverUpdate(c.algorithm_type, c.solver_type, order, points, outputs, sample);

    if (this.lowerOrderNums < c.solver_order) this.lowerOrderNums++;
    this.stepIndex = index + 1;
    return { prevSample, predOriginalSample };
  }

  /** Noises a clean sample to `timestep`: `α_t·x + σ_t·ε` at that step's sigma (diffusers `add_noise`). */
  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    const { alpha, sigma } = solverPoint(this.sigmas[this.indexForTimestep(timestep)]);
    return weightedSum([alpha, originalSamples], [sigma, noise]);
  }

  /**
   * diffusers `convert_model_output`: x₀ for dpmsolver++, ε for dpmsolver. Also returns x₀ in both cases, the
   * `predOriginalSample` of the step.
   */
  private convertModelOutput(
    modelOutput: Float32Array,
    sample: Float32Array,
    index: number,
  ): { converted: Float32Array; predOriginalSample: Float32Array } {
    const { alpha, sigma } = solverPoint(this.sigmas[index]);
    const type = this.config.prediction_type;
    const toX0 = (eps: Float32Array) => sample.map((s, i) => f32(s - f32(sigma * eps[i])) / alpha);
    if (this.config.algorithm_type === 'dpmsolver++') {
      let x0: Float32Array;
      if (type === 'epsilon') x0 = toX0(modelOutput);
      else if (type === 'sample') x0 = modelOutput.slice();
      else x0 = weightedSum([alpha, sample], [-sigma, modelOutput]);
      return { converted: x0, predOriginalSample: x0 };
    }
    let eps: Float32Array;
    if (type === 'epsilon') eps = modelOutput.slice();
    else if (type === 'sample') eps = sample.map((s, i) => f32(s - f32(alpha * modelOutput[i])) / sigma);
    else eps = weightedSum([alpha, modelOutput], [sigma, sample]);
    return { converted: eps, predOriginalSample: toX0(eps) };
  }

  /** diffusers `index_for_timestep`: the second match if repeated, the last index if absent. */
  private indexForTimestep(timestep: number): number {
    const matches = this.timesteps.flatMap((t, i) => (t === timestep ? [i] : []));
    if (matches.length === 0) return this.timesteps.length - 1;
    return matches.length > 1 ? matches[1] : matches[0];
  }
}

import type { ModelSession, Tensor } from '../backend/model-session.ts';

/** Milliseconds spent per stage of one generation, and how much of it was inside ONNX Runtime's `session.run`. */
export interface StageTimings {
  tokenizeMs: number;
  textEncoderMs: number;
  unetMs: number;
  schedulerMs: number;
  vaeDecoderMs: number;
  /** Encoding the input image (and the masked image) for image-to-image and inpainting; 0 for text-to-image. */
  vaeEncoderMs: number;
  /** The safety checker: preprocessing and its session, every image. */
  safetyCheckerMs: number;
  /** Everything from the first check to the last decoded pixel. */
  totalMs: number;
  /** Summed time inside `session.run` across all components: the floor any wrapper overhead is measured against. */
  sessionRunMs: number;
}

type Stage = Exclude<keyof StageTimings, 'totalMs' | 'sessionRunMs'>;

export class StageTimer {
  private readonly started = performance.now();
  private readonly timings: StageTimings = {
    tokenizeMs: 0,
    textEncoderMs: 0,
    unetMs: 0,
    schedulerMs: 0,
    vaeDecoderMs: 0,
    vaeEncoderMs: 0,
    safetyCheckerMs: 0,
    totalMs: 0,
    sessionRunMs: 0,
  };

  /** Times synchronous work (tokenizing, scheduler steps) under a stage. */
  measure<T>(stage: Stage, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.timings[stage] += performance.now() - start;
    }
  }

  /** Runs a session and books the call under a stage and under `sessionRunMs`. */
  async run(stage: Stage, session: ModelSession, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const start = performance.now();
    try {
      return await session.run(feeds);
    } finally {
      this.addSessionRun(stage, performance.now() - start);
    }
  }

  /** Books a `session.run` timed elsewhere: a UNet call shared by a batch counts in full for each of its requests. */
  addSessionRun(stage: Stage, elapsedMs: number): void {
    this.timings[stage] += elapsedMs;
    this.timings.sessionRunMs += elapsedMs;
  }

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  finish(): StageTimings {
    return { ...this.timings, totalMs: this.elapsedMs() };
  }
}

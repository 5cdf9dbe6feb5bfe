import type { GenerationProgress } from '@stipple/core';

const BAR_WIDTH = 30;

/**
 * A denoising progress bar on stderr (stdout stays clean for file paths). On a terminal it redraws one line; in a log
 * it prints a line at every tenth of the way so a CI log stays short.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): (progress: GenerationProgress) => void {
  let lastTenth = -1;
  return ({ step, totalSteps, elapsedMs }) => {
    const filled = Math.round((step / totalSteps) * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const line = `${bar} step ${step}/${totalSteps}  ${(elapsedMs / 1000).toFixed(1)}s`;
    if (stream.isTTY) {
      stream.write(`\r${line}${step === totalSteps ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((step / totalSteps) * 10);
    if (tenth !== lastTenth || step === totalSteps) stream.write(`${line}\n`);
    lastTenth = tenth;
  };
}

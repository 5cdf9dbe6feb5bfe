import { readDurableObjectCall } from '../../../packages/cli/src/local-stack/durable-object-call-log.ts';

/** Durable Object calls by class, counted from the stack's log (the tail Worker's lines, durable-object-call-log.ts). */
export class ObjectCallCounter {
  private readonly calls = new Map<string, number>();

  /** Give it every line of the stack's log; it keeps the calls. */
  readonly onLine = (line: string): void => {
    const call = readDurableObjectCall(line);
    if (call) this.calls.set(call.className, (this.calls.get(call.className) ?? 0) + 1);
  };

  snapshot(): Map<string, number> {
    return new Map(this.calls);
  }

  /** Calls per class since `before`. */
  since(before: Map<string, number>): Map<string, number> {
    const counted = new Map<string, number>();
    for (const [className, calls] of this.calls) {
      const added = calls - (before.get(className) ?? 0);
      if (added > 0) counted.set(className, added);
    }
    return counted;
  }

  /** Resolves once no call has been counted for `quietMs` (the tail Worker reports a call after it ends). */
  async settled(quietMs = 300, limitMs = 10_000): Promise<void> {
    const total = () => [...this.calls.values()].reduce((sum, calls) => sum + calls, 0);
    const deadline = Date.now() + limitMs;
    for (let last = -1; total() !== last && Date.now() < deadline; ) {
      last = total();
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }
}

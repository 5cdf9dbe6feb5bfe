/** Job ids remembered at most; past it the oldest go first (expired ones before any other). */
const MAX_JOBS_REMEMBERED = 10_000;

/**
 * Binds each job id this worker has accepted to the SHA-256 of the signed body it came with, for as long as that
 * signature may still be accepted (`expiresAtMs`: the job's deadline, or the signature's tolerance). A job id names one
 * job: the same id with another body (a replayed or spliced request, or a router bug) is refused rather than run.
 * The same id with the same body is the same job, as before: answered with its state while it is here, from its
 * manifest once it has succeeded.
 */
export class JobBodyLedger {
  private readonly bodies = new Map<string, { sha256: string; expiresAtMs: number }>();

  /** Binds `jobId` to `sha256`, or says it is bound to another body (false). */
  admit(jobId: string, sha256: string, expiresAtMs: number, nowMs: number): boolean {
    const known = this.bodies.get(jobId);
    if (known && known.expiresAtMs > nowMs && known.sha256 !== sha256) return false;
    this.bodies.delete(jobId);
    this.bodies.set(jobId, { sha256, expiresAtMs: Math.max(expiresAtMs, known?.expiresAtMs ?? 0) });
    if (this.bodies.size > MAX_JOBS_REMEMBERED) this.forget(nowMs);
    return true;
  }

  private forget(nowMs: number): void {
    for (const [jobId, { expiresAtMs }] of this.bodies) if (expiresAtMs <= nowMs) this.bodies.delete(jobId);
    // Maps iterate in insertion order: the first key is the one bound longest ago.
    while (this.bodies.size > MAX_JOBS_REMEMBERED) this.bodies.delete(this.bodies.keys().next().value!);
  }
}

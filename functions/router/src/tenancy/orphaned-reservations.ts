/**
 * Reservations whose job's object never took the job. `createJob` reserves a job's credits in the tenant's account and
 * then starts the job's `JobRun`, which settles the credits when the job ends. If the request dies between the two
 * (the edge restarted, the connection dropped, the `JobRun` call failed and so did the release), nothing would ever
 * settle the reservation: the credits would stay held for good. So each reservation is checked once, a while after it
 * was made (`TenantAccount.alarm`): if its job's object holds the job, the object settles it as always; if not, the
 * object is told to refuse the job from then on and the credits come back.
 */

/** How long after a reservation its job's object is asked: far past any request's way from reserve to start. */
export const ORPHAN_CHECK_AFTER_MS = 10 * 60 * 1000;
/** Checks one alarm runs at most; the rest wait for the next, set at once. */
export const ORPHAN_CHECKS_PER_ALARM = 50;

export function createOrphanCheckTable(sql: SqlStorage): void {
  sql.exec('CREATE TABLE IF NOT EXISTS orphan_checks (job_id TEXT PRIMARY KEY, check_at_ms INTEGER NOT NULL)');
  sql.exec('CREATE INDEX IF NOT EXISTS orphan_checks_by_time ON orphan_checks (check_at_ms)');
}

/** Schedules the check of a reservation just made. */
export function scheduleOrphanCheck(sql: SqlStorage, jobId: string, now: number): void {
  sql.exec('INSERT OR IGNORE INTO orphan_checks VALUES (?, ?)', jobId, now + ORPHAN_CHECK_AFTER_MS);
}

/** The checks due at `now`, with their reservation's state (`null`: the reservation is gone, withdrawn). */
export function dueOrphanChecks(sql: SqlStorage, now: number): { jobId: string; state: string | null }[] {
  return sql
    .exec<{ job_id: string; state: string | null }>(
      `SELECT c.job_id, r.state FROM orphan_checks c LEFT JOIN reservations r ON r.job_id = c.job_id
       WHERE c.check_at_ms <= ? ORDER BY c.check_at_ms LIMIT ?`,
      now,
      ORPHAN_CHECKS_PER_ALARM,
    )
    .toArray()
    .map((row) => ({ jobId: row.job_id, state: row.state }));
}

export function dropOrphanCheck(sql: SqlStorage, jobId: string): void {
  sql.exec('DELETE FROM orphan_checks WHERE job_id = ?', jobId);
}

/** When the next check is due, if any. */
export function nextOrphanCheckAt(sql: SqlStorage): number | undefined {
  const [row] = sql.exec<{ at: number | null }>('SELECT MIN(check_at_ms) AS at FROM orphan_checks').toArray();
  return row?.at ?? undefined;
}

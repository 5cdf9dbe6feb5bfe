import type { JobOutcome } from '../tenancy/tenant-account.ts';
import type { JobRecord, JobStatus } from './job-record.ts';

/**
 * What an ending job tells the tenant's ledger (`TenantAccount.capture` / `release`): the images it stored (a
 * succeeded job is charged for those only) and its safety counts: a flagged prompt, the images the checker flagged
 * (blocked ones included) and those blocked.
 */
export function jobOutcome(record: JobRecord, status: JobStatus): JobOutcome {
  const manifest = status === 'succeeded' ? record.manifest : undefined;
  const blocked = manifest?.blocked?.length ?? 0;
  const storedFlagged = manifest?.outputs.filter((output) => output.contentFilter?.flagged).length ?? 0;
  return {
    ...(manifest && { storedImages: manifest.outputs.length }),
    tally: {
      promptsFlagged: record.promptFilter?.flagged ? 1 : 0,
      promptsBlocked: 0,
      imagesFlagged: storedFlagged + blocked,
      imagesBlocked: blocked,
    },
    ...(record.endUser !== undefined && { endUser: record.endUser }),
  };
}

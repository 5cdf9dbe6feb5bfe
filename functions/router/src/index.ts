import { createApp } from './app.ts';

export { JobRun } from './jobs/job-run.ts';
export { KeyDirectory } from './tenancy/key-directory.ts';
export { TenantAccount } from './tenancy/tenant-account.ts';

export default createApp();

import { createApp } from './app.ts';

export { KeyDirectory } from './tenancy/key-directory.ts';
export { TenantAccount } from './tenancy/tenant-account.ts';

export default createApp();

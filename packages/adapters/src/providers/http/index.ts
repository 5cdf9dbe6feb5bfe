export { HttpProvider, type HttpProviderOptions } from './http-provider.ts';
export { HttpProviderError } from './http-provider-error.ts';
export { type HttpProviderSettings, httpProviderSettingsSchema } from './http-provider-options.ts';

import type { z } from 'zod';
import { type Clock, systemClock } from '../../spec/clock.ts';
import type { CallOptions, CancelResult, HealthReport, ProviderCapabilities } from '../../spec/image-provider-v1.ts';
import { parseSettings } from '../../spec/parse-settings.ts';
import type { EdgeStorage } from '../../storage/edge-storage.ts';
import { SageMakerRuntimeClient } from './sagemaker-runtime-client.ts';
import type { sageMakerSettingsSchema } from './sagemaker-settings.ts';

/** What a SageMaker provider is built from besides its settings. */
export interface SageMakerDependencies {
  /** Where the worker writes results (and, for async, where jobs are staged): manifests are read there. */
  storage: EdgeStorage;
  fetch?: typeof fetch;
  clock?: Clock;
}

type SageMakerSettings = z.output<typeof sageMakerSettingsSchema>;

/**
 * What both SageMaker providers share: settings, the SigV4 client, storage and clock; health from DescribeEndpoint
 * (healthy only `InService`, which an async endpoint scaled to zero still is); capabilities from the settings; and
 * `cancel`, which SageMaker cannot do for either kind of endpoint.
 */
export abstract class SageMakerProviderBase<Settings extends SageMakerSettings> {
  readonly specificationVersion = 'v1';
  readonly id: string;
  protected readonly settings: Settings;
  protected readonly client: SageMakerRuntimeClient;
  protected readonly storage: EdgeStorage;
  protected readonly clock: Clock;
  /** How jobs run on this kind of endpoint. */
  protected abstract readonly mode: Pick<ProviderCapabilities, 'sync' | 'async' | 'maxJobSeconds'>;
  /** Why `cancel` cannot stop a job here. */
  protected abstract readonly cannotCancel: string;

  constructor(
    readonly provider: 'sagemaker-async' | 'sagemaker-realtime',
    schema: z.ZodType<Settings>,
    options: object & SageMakerDependencies,
  ) {
    const { storage, fetch: fetchOption, clock, ...settings } = options;
    this.settings = parseSettings(provider, schema, settings);
    this.id = this.settings.id;
    this.storage = storage;
    this.clock = clock ?? systemClock;
    const send = fetchOption ?? ((input, init) => fetch(input, init));
    this.client = new SageMakerRuntimeClient(this.settings, send, this.clock);
  }

  async cancel(): Promise<CancelResult> {
    return { canceled: false, warnings: [{ type: 'unsupported-operation', message: this.cannotCancel }] };
  }

  async health({ abortSignal }: CallOptions = {}): Promise<HealthReport> {
    try {
      const status = await this.client.describeEndpointStatus(abortSignal);
      return { healthy: status === 'InService', detail: status };
    } catch (error) {
      return { healthy: false, detail: (error as Error).message };
    }
  }

  async capabilities(): Promise<ProviderCapabilities> {
    const { models, maxBatch } = this.settings;
    return { models, maxBatch, cancel: false, progress: false, ...this.mode };
  }
}

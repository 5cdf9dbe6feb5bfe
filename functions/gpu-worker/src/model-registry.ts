import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  checkWeightsHash,
  type LoadModelOptions,
  loadModel,
  type StableDiffusionModel,
  StippleError,
  ValidationError,
  type WeightsCheck,
} from '@stipple/core';

/** The model the repository ships (models/tiny-shapes), registered when present. */
export const DEFAULT_MODEL_ID = 'tiny-shapes';
const SHIPPED_MODEL_DIR = resolve(import.meta.dirname, '../../../models/tiny-shapes');

const WEIGHT_FILE = /\.(onnx|onnx_data|pb)$/;

/** What a loaded model costs, estimated by its weight files (ONNX Runtime holds about that much per session set). */
async function weightBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile() && WEIGHT_FILE.test(entry.name))
      .map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** `{ "models": { "<id>": "<folder or s3://…>" } }`, checked, with errors that say what is wrong. */
function parseRegistry(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('invalid_worker_config', `MODEL_REGISTRY is not JSON (${(error as Error).message})`);
  }
  const models = (parsed as { models?: unknown } | null)?.models;
  const valid =
    typeof models === 'object' &&
    models !== null &&
    Object.values(models).every((dir) => typeof dir === 'string' && dir.length > 0);
  if (!valid) {
    const message = 'MODEL_REGISTRY must be { "models": { "<id>": "<folder or s3://bucket/prefix>" } }';
    throw new ValidationError('invalid_worker_config', message);
  }
  return models as Record<string, string>;
}

export class UnknownModelError extends StippleError {
  constructor(modelId: string, known: readonly string[]) {
    super('unknown_model', `model "${modelId}" is not served here; use one of ${known.join(', ')}`, {
      modelId,
      known,
    });
  }
}

export interface ModelEntry {
  id: string;
  dir: string;
  state: 'registered' | 'loading' | 'ready' | 'failed';
  /** Once loaded: load time by stage and how the weights were hashed. */
  load?: StableDiffusionModel['load'];
  /**
   * A load that trusted cached per-file hashes is checked by reading every weight file again in the background:
   * `checking`, then `unchanged` or `changed` (a file changed without a new size or mtime; its records name a digest
   * the files no longer have until the model is loaded again).
   */
  weightsCheck?: 'checking' | 'unchanged' | 'changed';
}

/**
 * Model ids to local folders, opened lazily on first use and then kept: one ONNX session set per model, shared by every
 * job. The registry file is JSON `{ "models": { "<id>": "<folder>" } }`, folders relative to the file.
 */
export class ModelRegistry {
  private readonly dirs: Map<string, string>;
  private readonly loading = new Map<string, Promise<StableDiffusionModel>>();
  private readonly states = new Map<string, ModelEntry['state']>();
  private readonly loads = new Map<string, StableDiffusionModel['load']>();
  private readonly weightsChecks = new Map<string, NonNullable<ModelEntry['weightsCheck']>>();
  /** Told the outcome of each background weights check (the worker logs it). */
  onWeightsChecked: (id: string, check: WeightsCheck & { expected: string }) => void = () => {};
  private preloading: readonly string[] = [];
  /** Per loaded model: bytes of weights (the memory estimate), jobs using it, last use (for least-recently-used). */
  private readonly usage = new Map<string, { bytes: number; inUse: number; lastUsed: number }>();
  /** Total weight bytes the loaded models may hold before idle ones are evicted; 0 = no limit. */
  memoryBudgetBytes = 0;

  /**
   * @param dirs model id → local folder, or `s3://bucket/prefix` for a model `fetchRemote` brings into a local cache.
   */
  constructor(
    dirs: ReadonlyMap<string, string>,
    private readonly options: LoadModelOptions = {},
    private readonly fetchRemote?: (uri: string) => Promise<string>,
  ) {
    this.dirs = new Map(dirs);
  }

  /**
   * The registry `MODEL_REGISTRY` names: the path of a JSON file, or the JSON itself (it starts with `{`), so a
   * deployment can set it without building it into the image. Folders are relative to the file (to the working
   * directory for inline JSON); `s3://` locations are kept as they are.
   */
  static async fromSetting(
    setting: string | undefined,
    options: LoadModelOptions = {},
    fetchRemote?: (uri: string) => Promise<string>,
  ): Promise<ModelRegistry> {
    const dirs = new Map<string, string>([[DEFAULT_MODEL_ID, SHIPPED_MODEL_DIR]]);
    if (setting !== undefined) {
      const inline = setting.trimStart().startsWith('{');
      const base = inline ? process.cwd() : dirname(setting);
      for (const [id, dir] of Object.entries(parseRegistry(inline ? setting : await readFile(setting, 'utf8')))) {
        dirs.set(id, dir.startsWith('s3://') ? dir : resolve(base, dir));
      }
    }
    return new ModelRegistry(dirs, options, fetchRemote);
  }

  /**
   * Loads these models now, in the background, so the first job does not pay for it; `ready()` tells when they are
   * in. A model that fails to load is logged by the caller and counts as not ready.
   */
  preload(ids: readonly string[]): Promise<void> {
    this.preloading = ids;
    return Promise.allSettled(ids.map((id) => this.get(id))).then(() => undefined);
  }

  /** True once every preloaded model is loaded (readiness for `/ping`). */
  ready(): boolean {
    return this.preloading.every((id) => this.states.get(id) === 'ready');
  }

  list(): ModelEntry[] {
    return [...this.dirs].map(([id, dir]) => {
      const load = this.loads.get(id);
      const weightsCheck = this.weightsChecks.get(id);
      return {
        id,
        dir,
        state: this.states.get(id) ?? 'registered',
        ...(load && { load }),
        ...(weightsCheck && { weightsCheck }),
      };
    });
  }

  /** The loaded model, opening it on first use; concurrent first uses share one load. */
  get(id: string): Promise<StableDiffusionModel> {
    const dir = this.dirs.get(id);
    if (dir === undefined) return Promise.reject(new UnknownModelError(id, [...this.dirs.keys()]));
    let model = this.loading.get(id);
    if (!model) {
      this.states.set(id, 'loading');
      model = this.localDir(dir)
        .then((local) => loadModel(local, this.options))
        .then(
          (loaded) => {
            this.states.set(id, 'ready');
            this.loads.set(id, loaded.load);
            this.checkWeightsInBackground(id, loaded);
            return loaded;
          },
          (error: unknown) => {
            this.states.set(id, 'failed');
            this.loading.delete(id);
            throw error;
          },
        );
      this.loading.set(id, model);
    }
    return model;
  }

  /**
   * The model for one job: loaded if needed, marked in use until `release()` so eviction never takes it mid-job, and
   * then, if the loaded models exceed the memory budget, the least recently used idle ones are released.
   */
  async acquire(id: string): Promise<{ model: StableDiffusionModel; release: () => void }> {
    const model = await this.get(id);
    const usage = this.usage.get(id) ?? { bytes: await weightBytes(model.dir), inUse: 0, lastUsed: 0 };
    usage.inUse++;
    usage.lastUsed = performance.now();
    this.usage.set(id, usage);
    await this.evictOverBudget();
    let released = false;
    return {
      model,
      release: () => {
        if (released) return;
        released = true;
        usage.inUse--;
        usage.lastUsed = performance.now();
      },
    };
  }

  /** After a load that took some hashes from the cache, reads all the weights again, off the job's path. */
  private checkWeightsInBackground(id: string, model: StableDiffusionModel): void {
    const { files, hashedFiles, cacheFile } = model.load.weightsHash;
    if (hashedFiles === files) return;
    this.weightsChecks.set(id, 'checking');
    void checkWeightsHash(model.dir, model.weightsHash, cacheFile).then(
      (check) => {
        this.weightsChecks.set(id, check.unchanged ? 'unchanged' : 'changed');
        this.onWeightsChecked(id, { ...check, expected: model.weightsHash });
      },
      // An unreadable file fails the model's next load loudly; the check itself has nothing to add.
      () => this.weightsChecks.delete(id),
    );
  }

  private async evictOverBudget(): Promise<void> {
    if (this.memoryBudgetBytes <= 0) return;
    let total = [...this.usage.values()].reduce((sum, usage) => sum + usage.bytes, 0);
    const idle = [...this.usage]
      .filter(([, usage]) => usage.inUse === 0)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [id, usage] of idle) {
      if (total <= this.memoryBudgetBytes) break;
      const model = this.loading.get(id);
      this.loading.delete(id);
      this.usage.delete(id);
      this.states.set(id, 'registered');
      this.loads.delete(id);
      total -= usage.bytes;
      await (await model)?.release();
    }
  }

  private async localDir(location: string): Promise<string> {
    if (!location.startsWith('s3://')) return location;
    if (!this.fetchRemote) throw new Error(`no S3 model cache is configured for ${location}`);
    return this.fetchRemote(location);
  }

  async release(): Promise<void> {
    this.usage.clear();
    const models = await Promise.allSettled(this.loading.values());
    await Promise.all(models.map((result) => (result.status === 'fulfilled' ? result.value.release() : undefined)));
  }
}

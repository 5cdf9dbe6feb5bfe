import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import type { DeployConfig } from './deploy-config.ts';
import { createEdgeCredentials } from './edge-credentials.ts';
import type { Gpu } from './gpu.ts';
import { readJsoncFile } from './jsonc.ts';
import { routerBindings } from './router-bindings.ts';
import {
  ROUTER_WRANGLER_CONFIG,
  routerWranglerConfig,
  type WranglerConfig,
  workersDevUrl,
} from './router-wrangler-config.ts';
import type { Secrets } from './secrets.ts';
import type { Storage } from './storage.ts';

export interface RouterArgs {
  /** The Worker's name, e.g. `stipple-prod-router`. */
  name: string;
  repositoryRoot: string;
  config: DeployConfig;
  storage: Storage;
  secrets: Secrets;
  gpu: Gpu | undefined;
}

/** What the router is built from: a change here redeploys it. */
export const ROUTER_SOURCES = [
  'functions/router/src',
  'functions/router/playground',
  'functions/router/wrangler.jsonc',
  'packages/adapters/src',
  'packages/jobs/src',
  'package-lock.json',
];

/**
 * The edge router, deployed by `wrangler deploy` from inside `sst deploy` (a `command.local.Command`). SST's
 * `cloudflare.Worker` bundles with its own esbuild settings, defaults to other compatibility settings, and has no
 * Durable Object support: the router's SQLite classes need wrangler's tagged migrations, which it applies
 * incrementally from the tag the account holds (docs/DEPLOY.md, "Why wrangler deploys the router").
 */
export function createRouter(args: RouterArgs) {
  const edge = createEdgeCredentials({
    bucket: args.storage.bucket,
    layout: args.storage.layout,
    sagemakerEndpointArn: args.gpu?.endpoint.arn,
  });
  const bindings = routerBindings({ ...args, edgeKey: edge.accessKey });
  const base = readJsoncFile(join(args.repositoryRoot, ROUTER_WRANGLER_CONFIG)) as WranglerConfig;
  const domain = args.config.routerDomain;
  const config = pulumi
    .output(bindings.vars)
    .apply((vars) =>
      JSON.stringify(
        routerWranglerConfig(base, { name: args.name, repositoryRoot: args.repositoryRoot, vars, domain }),
      ),
    );
  const deploy = 'node --import tsx infra/deploy-router.ts';
  const script = new command.local.Command(
    'RouterDeploy',
    {
      dir: args.repositoryRoot,
      create: deploy,
      update: deploy,
      // Runs only when the resource is deleted: on `sst remove` (see the options below).
      delete: 'npx wrangler delete --name "$STIPPLE_ROUTER_NAME" --force',
      environment: {
        STIPPLE_ROUTER_NAME: args.name,
        STIPPLE_ROUTER_CONFIG: config,
        STIPPLE_ROUTER_SECRETS: pulumi.secret(pulumi.jsonStringify(bindings.secrets)),
        // Not read by the deploy: a changed digest changes an input that the provider diffs as an update.
        STIPPLE_ROUTER_SOURCE_DIGEST: sourceDigest(args.repositoryRoot, ROUTER_SOURCES),
      },
      // wrangler's own output, never the environment: it holds the secrets.
      logging: 'stdoutAndStderr',
    },
    {
      // The command provider replaces a Command whose `triggers` change (pulumi-command 1.0.1,
      // provider/pkg/provider/common/inputs.go: `replaceOnChanges`), and a replacement creates the new one before it
      // runs the old one's `delete`: `wrangler delete` of the Worker just deployed, its Durable Objects' data with it.
      // So the router has no triggers; stacks deployed before this change still hold `triggers` in their state, and
      // ignoring it keeps their next deploy an update as well.
      ignoreChanges: ['triggers'],
    },
  );
  const url = script.stdout.apply((stdout) => {
    const found = workersDevUrl(stdout);
    if (found === undefined) throw new Error(`wrangler deploy printed no workers.dev URL:\n${stdout}`);
    return found;
  });
  return { edge, bindings, script, config, url };
}

/** SHA-256 over the paths and contents of every file under `paths`, in a stable order. */
export function sourceDigest(root: string, paths: string[]): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    const full = join(root, path);
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) visit(join(path, entry));
      return;
    }
    hash.update(`${path}\0`).update(readFileSync(full)).update('\0');
  };
  for (const path of paths) visit(path);
  return hash.digest('hex');
}

import { join } from 'node:path';

/** The parts of a wrangler configuration this deployment reads or writes. */
export interface WranglerConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, string>;
  durable_objects?: { bindings: { name: string; class_name: string }[] };
  migrations?: { tag: string; new_sqlite_classes?: string[] }[];
  workers_dev?: boolean;
  routes?: { pattern: string; custom_domain: boolean }[];
  [key: string]: unknown;
}

/** The router's own configuration, relative to the repository root. */
export const ROUTER_WRANGLER_CONFIG = 'functions/router/wrangler.jsonc';

export interface RouterDeployment {
  /** The Worker's name for this stage. */
  name: string;
  repositoryRoot: string;
  /** Plain-text bindings; they replace the development defaults of `wrangler.jsonc`. */
  vars: Record<string, string>;
  /** A custom domain on a Cloudflare zone of the account; the workers.dev URL stays on. */
  domain?: string;
}

/**
 * The configuration `wrangler deploy` gets for a stage: the router's own `wrangler.jsonc` (compatibility date and
 * flags, Durable Object bindings, migrations, entry point) with this stage's name, vars and domain. Everything the
 * router's tests run against stays as it is.
 */
export function routerWranglerConfig(base: WranglerConfig, deployment: RouterDeployment): WranglerConfig {
  const configDirectory = join(deployment.repositoryRoot, ROUTER_WRANGLER_CONFIG, '..');
  return {
    ...base,
    name: deployment.name,
    // Relative paths in a wrangler configuration are read from its own folder, and the stage's is elsewhere.
    main: join(configDirectory, base.main),
    vars: { ...base.vars, ...deployment.vars },
    workers_dev: true,
    ...(deployment.domain === undefined ? {} : { routes: [{ pattern: deployment.domain, custom_domain: true }] }),
  };
}

/** The workers.dev URL `wrangler deploy` prints (`https://<name>.<subdomain>.workers.dev`). */
export function workersDevUrl(deployOutput: string): string | undefined {
  return deployOutput.match(/https:\/\/[a-z0-9.-]+\.workers\.dev/)?.[0];
}

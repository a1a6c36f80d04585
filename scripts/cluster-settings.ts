/**
 * deploy/temporal/cluster.json: the one place the cluster's version, schema databases, namespace retention and
 * search attributes are written down. scripts/cluster.ts reads it; docker-compose.temporal.yml repeats its values
 * (compose cannot read JSON) and test/unit/compose/docker-compose.test.ts fails when they drift apart.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export const REPO_ROOT = resolve(__dirname, '..');
export const CLUSTER_SETTINGS_FILE = join(REPO_ROOT, 'deploy', 'temporal', 'cluster.json');

const schema = z.object({
  temporalVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  uiVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  numHistoryShards: z.number().int().min(1),
  dynamicConfigFile: z.string().min(1),
  postgres: z.object({
    plugin: z.literal('postgres12'),
    user: z.string().min(1),
    password: z.string().min(1),
    database: z.string().min(1),
    visibilityDatabase: z.string().min(1),
  }),
  namespace: z.object({ name: z.string().min(1), retention: z.string().regex(/^\d+h$/, 'hours, e.g. 168h') }),
  searchAttributes: z.array(z.object({ name: z.string().min(1), type: z.literal('Keyword') })).min(1),
});
export type ClusterSettings = z.infer<typeof schema>;

let cached: ClusterSettings | undefined;
export function clusterSettings(): ClusterSettings {
  cached ??= schema.parse(JSON.parse(readFileSync(CLUSTER_SETTINGS_FILE, 'utf8')));
  return cached;
}

export function dynamicConfigPath(settings = clusterSettings()): string {
  return resolve(REPO_ROOT, settings.dynamicConfigFile);
}

export function retentionSeconds(settings = clusterSettings()): number {
  return Number(settings.namespace.retention.slice(0, -1)) * 3600;
}

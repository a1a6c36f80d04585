/**
 * The mapping template this process loaded at start-up (runtime/load-config.ts installs it; the jest setup installs
 * mapping/default.yaml). Activities fall back to it when a deal carries no pinned snapshot; workflow code never
 * reads it (a workflow's bundle has its own module state, and a template change must not alter a replay).
 */
import type { MappingSnapshot } from './schema';

let installed: MappingSnapshot | undefined;

export function installMapping(mapping: MappingSnapshot): void {
  installed = mapping;
}

export function installedMapping(): MappingSnapshot | undefined {
  return installed;
}

export function activeMapping(): MappingSnapshot {
  if (installed === undefined) {
    throw new Error(
      'no mapping template loaded: start through runtime/load-config.ts (loadConfig) or call installMapping() first',
    );
  }
  return installed;
}

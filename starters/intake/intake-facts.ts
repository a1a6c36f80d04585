/**
 * The company facts the intake decision needs, from the Pipedrive client's caches (our user id for the process; field
 * keys and stages for 5 minutes), so a delivery costs no Pipedrive call once warm.
 */
import { CONTRACT_SIGNED_STAGE, DEAL_FIELDS, ORCHESTRATOR_OWNED_DEAL_FIELDS } from '../../domain/pipedrive-fields';
import type { FieldCatalog } from '../../integrations/pipedrive';
import type { IntakeFacts } from './intake-decision';

/** What the intake needs from Pipedrive: the product's PipedriveClient satisfies it. */
export interface IntakeLookups {
  getCurrentUserId(): Promise<string>;
  dealFieldKeys(): Promise<FieldCatalog>;
  findStageIdsByName(name: string): Promise<string[]>;
}

export async function loadIntakeFacts(lookups: IntakeLookups): Promise<IntakeFacts> {
  const [integrationUserId, fields, contractSignedStageIds] = await Promise.all([
    lookups.getCurrentUserId(),
    lookups.dealFieldKeys(),
    lookups.findStageIdsByName(CONTRACT_SIGNED_STAGE),
  ]);
  const keyOf = (name: string): string | undefined => fields.get(name)?.key;
  return {
    integrationUserId,
    contractSignedStageIds,
    orchestratorFieldKeys: ORCHESTRATOR_OWNED_DEAL_FIELDS.map(keyOf).filter((k): k is string => k !== undefined),
    externalIdFieldKey: keyOf(DEAL_FIELDS.externalId),
    fieldNamesByKey: new Map([...fields.values()].map((f) => [f.key, f.name])),
  };
}

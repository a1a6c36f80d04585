/**
 * Patches folded into the third lean marker (workflows/onboarding.ts, LEAN_ONBOARDING_3_PATCH; docs/lean-worker.md):
 * the KPI ledger's (workflows/kpis.ts, workflows/kpi-delivery.ts) and the pinned mapping template's
 * (workflows/mapping-pin.ts). They are asked outside onboardDeal, so the run's answer lives here: the SDK gives every
 * workflow its own instances of the bundle's modules, and a workflow that never sets it (the deal-edit run, which
 * shares review-wait and kpis) asks each patch itself.
 *
 * Set once, at the start of onboardDeal, before any of these patches is first asked: a run that recorded the marker
 * was started by code that had every one of them, so each is implied and records no marker (nor the SDK's
 * TemporalChangeVersion upsert) of its own. A run without the marker asks each one, as it did when it was recorded.
 */
import { patched } from '@temporalio/workflow';

let implied = false;

export function foldPatches(byLeanMarker: boolean): void {
  implied = byLeanMarker;
}

export function hasPatch(patchId: string): boolean {
  return implied || patched(patchId);
}

/** `opsWatch`'s fixed identity, signals and query: shared by the workflow, the onboardings that report to it and its readers. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { KpiEvent } from './ops-watch-ledger';
import type { OpsWatchSettings, OpsWatchState } from './ops-watch';

/** One per namespace: every onboarding reports here, whichever worker runs it. */
export const OPS_WATCH_WORKFLOW_ID = 'ops-watch';
export const OPS_WATCH_WORKFLOW_TYPE = 'opsWatch';

export const kpiEventSignal = defineSignal<[KpiEvent]>('kpiEvent');
/** New settings from a worker that (re)started with other configuration. */
export const opsSettingsSignal = defineSignal<[OpsWatchSettings]>('opsSettings');
/** Evaluate now instead of at the next tick (an operator, or a test). */
export const opsTickSignal = defineSignal<[]>('opsTick');
export const opsStateQuery = defineQuery<OpsWatchState>('opsState');

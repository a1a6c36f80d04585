/** Systemic alerts (auth/config failures affect every onboarding): logged at error level and counted. */
import { log } from '@temporalio/activity';
import type { ReviewReason } from '../domain/review-reason';

export interface AlertSink {
  alert(event: { kind: 'auth'; externalId: string; codes: string[] }): Promise<void>;
}

export function createAlertActivities(sink?: AlertSink) {
  return {
    alertOnCall: async (externalId: string, reasons: ReviewReason[]): Promise<void> => {
      const codes = reasons.map((r) => r.code);
      log.error('systemic failure: credentials or permissions rejected; every onboarding will fail the same way', {
        externalId,
        codes,
      });
      await sink?.alert({ kind: 'auth', externalId, codes });
    },
  };
}
export type AlertActivities = ReturnType<typeof createAlertActivities>;

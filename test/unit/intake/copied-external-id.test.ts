/**
 * The intake's decision for a deal carrying an External ID (issue 21 item 1): the carried id is kept (an id once
 * written is never replaced), and the deal's own derived id rides along, for when the carried id's workflow turns out
 * to be another deal's (webhook-intake.ts starts the copy under it). A system workflow id is never used. Bounded
 * changedFields at parse time (item 4).
 */
import { deriveExternalId } from '../../../domain/external-id';
import { CHANGED_FIELDS_MAX } from '../../../domain/transaction';
import { parseWebhookV2 } from '../../../domain/webhook-v2';
import { decideIntake, type IntakeFacts } from '../../../starters/intake/intake-decision';

const EXT = 'a'.repeat(40);
const facts: IntakeFacts = {
  integrationUserId: '1',
  contractSignedStageIds: ['4'],
  orchestratorFieldKeys: [EXT],
  externalIdFieldKey: EXT,
  fieldNamesByKey: new Map([[EXT, 'External ID']]),
};

function signed(externalId: string | undefined, previous: Record<string, unknown> = { stage_id: 3 }) {
  const parsed = parseWebhookV2({
    meta: {
      action: 'change',
      entity: 'deal',
      entity_id: '43',
      id: 'evt-9',
      company_id: '900',
      change_source: 'app',
      user_id: '2',
    },
    data: {
      id: 43,
      title: 'Copy of Acme',
      stage_id: 4,
      custom_fields: externalId === undefined ? {} : { [EXT]: externalId },
    },
    previous,
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.event;
}

const own = deriveExternalId({ companyId: '900', dealId: '43' });

describe('decideIntake and a carried External ID', () => {
  it("keeps the carried id and names the deal's own id and the delivery's company", () => {
    const copied = deriveExternalId({ companyId: '900', dealId: '42' });
    expect(decideIntake(signed(copied), facts)).toMatchObject({
      action: 'start',
      externalId: copied,
      ownExternalId: own,
      dealId: '43',
      companyId: '900',
    });
  });
  it('a deal without one, or carrying its own, has no second id', () => {
    expect(decideIntake(signed(undefined), facts)).not.toHaveProperty('ownExternalId');
    expect(decideIntake(signed(own), facts)).not.toHaveProperty('ownExternalId');
  });
  it.each(['ops-watch', 'ops-watch-ledger-0', 'backfill', 'reconcile-reconciliation-daily'])(
    'a system workflow id (%s) is never the external id',
    (id) => {
      expect(decideIntake(signed(id), facts)).toMatchObject({ action: 'start', externalId: own });
    },
  );
  it('changedFields are bounded at parse time', () => {
    const previous = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`field_${String(i).padStart(3, '0')}_${'x'.repeat(300)}`, 'old']),
    );
    const decision = decideIntake(signed(own, previous), { ...facts, contractSignedStageIds: ['99'] });
    expect(decision.action).toBe('signal');
    const fields = (decision as { changedFields: string[] }).changedFields;
    expect(fields).toHaveLength(CHANGED_FIELDS_MAX + 1);
    expect(fields.every((f) => f.length <= 100)).toBe(true);
  });
});

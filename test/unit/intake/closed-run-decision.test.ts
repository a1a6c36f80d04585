/** A deal change whose onboarding is not running: signal, edit after onboarding, or nothing (pure, table-driven). */
import { deriveExternalId } from '../../../domain/external-id';
import { parseWebhookV2 } from '../../../domain/webhook-v2';
import {
  decideClosedRunChange,
  decideIntake,
  type IntakeFacts,
  type OnboardingRunStatus,
} from '../../../starters/intake/intake-decision';

const EXT = 'a'.repeat(40);
const PKG = 'c'.repeat(40);
const facts: IntakeFacts = {
  integrationUserId: '1',
  contractSignedStageIds: ['4'],
  orchestratorFieldKeys: [EXT],
  externalIdFieldKey: EXT,
  fieldNamesByKey: new Map([
    [EXT, 'External ID'],
    [PKG, 'Onboarding package'],
  ]),
};

function change(customFields: Record<string, unknown>) {
  const parsed = parseWebhookV2({
    meta: {
      action: 'change',
      entity: 'deal',
      entity_id: '42',
      id: 'evt-9',
      company_id: '900',
      change_source: 'app',
      user_id: '2',
    },
    data: { id: 42, stage_id: 5, custom_fields: customFields },
    previous: { custom_fields: { [PKG]: 'GROWTH' } },
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.event;
}

describe('decideIntake: what a later change knows about the deal', () => {
  it.each([
    ['carries the External ID our onboarding wrote back', { [EXT]: 'ext-77', [PKG]: 'ENTERPRISE' }, true, 'ext-77'],
    [
      'has no External ID (never onboarded)',
      { [PKG]: 'ENTERPRISE' },
      false,
      deriveExternalId({ companyId: '900', dealId: '42' }),
    ],
    [
      'has an invalid External ID',
      { [EXT]: 'not valid|x' },
      false,
      deriveExternalId({ companyId: '900', dealId: '42' }),
    ],
  ])('a deal that %s', (_name, fields, carriesExternalId, externalId) => {
    expect(decideIntake(change(fields), facts)).toMatchObject({
      action: 'signal',
      carriesExternalId,
      externalId,
      eventId: 'evt-9',
      changedFields: ['Onboarding package'],
    });
  });
});

describe('decideClosedRunChange', () => {
  const deal = { externalId: 'ext-77', eventId: 'evt-9' };
  it.each<[string, OnboardingRunStatus, boolean, ReturnType<typeof decideClosedRunChange>]>([
    ['closed, External ID on the deal', 'closed', true, { action: 'start-edit', workflowId: 'ext-77-edit-evt-9' }],
    [
      'closed, no External ID on the deal (onboarded under a derived id)',
      'closed',
      false,
      { action: 'start-edit', workflowId: 'ext-77-edit-evt-9' },
    ],
    [
      'beyond retention, External ID on the deal',
      'unknown',
      true,
      { action: 'start-edit', workflowId: 'ext-77-edit-evt-9' },
    ],
    ['never onboarded', 'unknown', false, { action: 'ignore', reason: 'no onboarding for this deal' }],
    ['running again (between runs)', 'running', true, { action: 'retry-later', reason: expect.any(String) }],
  ])('%s', (_name, run, carriesExternalId, expected) => {
    expect(decideClosedRunChange({ ...deal, carriesExternalId }, run)).toEqual(expected);
  });

  it("gives every delivery its own edit, and Pipedrive's retries of one delivery the same one", () => {
    const a = decideClosedRunChange({ ...deal, carriesExternalId: true }, 'closed');
    const retry = decideClosedRunChange({ ...deal, carriesExternalId: true }, 'closed');
    const next = decideClosedRunChange({ ...deal, eventId: 'evt-10', carriesExternalId: true }, 'closed');
    expect(retry).toEqual(a);
    expect(next).not.toEqual(a);
  });
});

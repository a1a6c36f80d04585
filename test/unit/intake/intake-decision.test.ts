/** The intake's decision, table-driven over webhook v2 payloads (pure: no Pipedrive, no Temporal). */
import { deriveExternalId } from '../../../domain/external-id';
import { parseWebhookV2 } from '../../../domain/webhook-v2';
import { decideIntake, type IntakeFacts } from '../../../starters/intake/intake-decision';
import { isAuthorized, parseBasicAuth } from '../../../starters/intake/basic-auth';

const EXT = 'a'.repeat(40);
const STATUS = 'b'.repeat(40);
const PKG = 'c'.repeat(40);

const facts: IntakeFacts = {
  integrationUserId: '1',
  contractSignedStageIds: ['4', '14'],
  orchestratorFieldKeys: [EXT, STATUS],
  externalIdFieldKey: EXT,
  fieldNamesByKey: new Map([
    [EXT, 'External ID'],
    [STATUS, 'Onboarding status'],
    [PKG, 'Onboarding package'],
  ]),
};

function event(over: {
  meta?: Record<string, unknown>;
  data?: Record<string, unknown> | null;
  previous?: Record<string, unknown> | null;
}) {
  const parsed = parseWebhookV2({
    meta: {
      action: 'change',
      entity: 'deal',
      entity_id: '42',
      id: 'evt-1',
      company_id: '900',
      change_source: 'app',
      user_id: '2',
      ...over.meta,
    },
    data: over.data === undefined ? { id: 42, title: 'Acme', stage_id: 4, custom_fields: {} } : over.data,
    previous: over.previous === undefined ? { stage_id: 3 } : over.previous,
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.event;
}

const derived = deriveExternalId({ companyId: '900', dealId: '42' });

describe('decideIntake', () => {
  it.each([
    [
      'a move into Contract Signed',
      event({}),
      { action: 'start', externalId: derived, dealId: '42', eventId: 'evt-1', title: 'Acme', trigger: 'stage-change' },
    ],
    [
      "a move into the second pipeline's Contract Signed",
      event({ data: { id: 42, stage_id: 14 }, previous: { stage_id: 13 } }),
      { action: 'start', trigger: 'stage-change' },
    ],
    [
      'a deal created already signed',
      event({ meta: { action: 'create' }, previous: null }),
      { action: 'start', trigger: 'created-in-stage' },
    ],
    [
      'a deal created in another stage',
      event({ meta: { action: 'create' }, data: { id: 42, stage_id: 2 }, previous: null }),
      { action: 'ignore' },
    ],
    [
      'another entity',
      event({ meta: { entity: 'person' } }),
      { action: 'ignore', reason: expect.stringContaining('person') },
    ],
    ['a delete', event({ meta: { action: 'delete' }, data: null }), { action: 'ignore' }],
    [
      "our API user's change",
      event({ meta: { change_source: 'api', user_id: '1' } }),
      { action: 'drop-own-write-back' },
    ],
    [
      'a human change of only orchestrator fields',
      event({ data: { id: 42, stage_id: 4 }, previous: { custom_fields: { [EXT]: null, [STATUS]: 'RECEIVED' } } }),
      { action: 'drop-own-write-back' },
    ],
    [
      'a later edit of a deal in flight (named fields)',
      event({
        data: { id: 42, stage_id: 4 },
        previous: { title: 'Old', update_time: 'x', custom_fields: { [PKG]: 101 } },
      }),
      { action: 'signal', externalId: derived, changedFields: ['Onboarding package', 'title'] },
    ],
    [
      "another API user's change is not ours",
      event({ meta: { change_source: 'api', user_id: '7' }, data: { id: 42, stage_id: 2 }, previous: { title: 'x' } }),
      { action: 'signal' },
    ],
    [
      'a change listing only bookkeeping keys',
      event({ data: { id: 42, stage_id: 2 }, previous: { update_time: 'x' } }),
      { action: 'ignore' },
    ],
    [
      'a move to another stage (pipeline position only)',
      event({ data: { id: 42, stage_id: 2 }, previous: { stage_id: 4, stage_change_time: 'x', update_time: 'x' } }),
      { action: 'ignore', reason: expect.stringContaining('pipeline position') },
    ],
    [
      'a deal marked won',
      event({ data: { id: 42, stage_id: 4 }, previous: { status: 'open', won_time: null, close_time: null } }),
      { action: 'ignore' },
    ],
    [
      'a move together with a field edit',
      event({ data: { id: 42, stage_id: 2 }, previous: { stage_id: 4, custom_fields: { [PKG]: 101 } } }),
      { action: 'signal', changedFields: ['Onboarding package', 'stage_id'] },
    ],
  ])('%s', (_name, e, expected) => {
    expect(decideIntake(e, facts)).toMatchObject(expected);
  });

  it('uses the External ID already on the deal when it is valid, and derives one when it is not', () => {
    const withId = event({ data: { id: 42, stage_id: 4, custom_fields: { [EXT]: 'legacy-ID_7' } } });
    expect(decideIntake(withId, facts)).toMatchObject({ action: 'start', externalId: 'legacy-ID_7' });
    const invalid = event({ data: { id: 42, stage_id: 4, custom_fields: { [EXT]: 'has spaces|pipes' } } });
    expect(decideIntake(invalid, facts)).toMatchObject({ action: 'start', externalId: derived });
  });

  it('starts nothing when the company has no Contract Signed stage', () => {
    expect(decideIntake(event({}), { ...facts, contractSignedStageIds: [] })).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('pipeline position'),
    });
  });
});

describe('basic auth', () => {
  const expected = { user: 'orchestrator', password: 's3cret-password:with-colon' };
  const header = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('accepts exactly the registered pair (passwords may contain colons)', () => {
    expect(parseBasicAuth(header('orchestrator', 's3cret-password:with-colon'))).toEqual(expected);
    expect(isAuthorized(header('orchestrator', 's3cret-password:with-colon'), expected)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['wrong password', header('orchestrator', 'nope')],
    ['wrong user', header('someone', 's3cret-password:with-colon')],
    ['password prefix', header('orchestrator', 's3cret')],
    ['bearer', 'Bearer abc'],
    ['garbage', 'Basic ###'],
    ['no colon', `Basic ${Buffer.from('orchestrator').toString('base64')}`],
  ])('refuses %s', (_name, value) => {
    expect(isAuthorized(value, expected)).toBe(false);
  });

  it('never accepts anything when the configured password is empty', () => {
    expect(isAuthorized(header('u', ''), { user: 'u', password: '' })).toBe(false);
  });
});

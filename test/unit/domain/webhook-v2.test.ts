import {
  isCreatedInStage,
  isOwnWriteBack,
  isStageChangeTo,
  parseWebhookV2,
  type WebhookV2Event,
} from '../../../domain/webhook-v2';

const EXTERNAL_ID_KEY = 'a'.repeat(40);
const STATUS_KEY = 'b'.repeat(40);
const HUMAN_FIELD_KEY = 'c'.repeat(40);
const ORCHESTRATOR_KEYS = [EXTERNAL_ID_KEY, STATUS_KEY];

/** The documented v2 example (reference/external-apis.md §2): meta ids as strings. */
function docExample(
  overrides: { meta?: Record<string, unknown>; data?: unknown; previous?: unknown } = {},
): Record<string, unknown> {
  return {
    meta: {
      action: 'change',
      entity: 'deal',
      entity_id: '746',
      id: '8f6a2d7e-5b1c-4a3e-9b7a-1c2d3e4f5a6b',
      company_id: '123',
      correlation_id: 'c0ffee00-0000-4000-8000-000000000000',
      is_bulk_edit: false,
      timestamp: '2025-06-19T16:07:36.754Z',
      type: 'general',
      user_id: '123',
      version: '2.0',
      webhook_id: '456',
      webhook_owner_id: '123',
      change_source: 'app',
      attempt: 1,
      host: 'acme.pipedrive.com',
      permitted_user_ids: ['123'],
      ...overrides.meta,
    },
    data:
      'data' in overrides
        ? overrides.data
        : {
            id: 746,
            title: 'Acme',
            stage_id: 5,
            pipeline_id: 1,
            status: 'open',
            person_id: 12,
            org_id: 3,
            owner_id: 123,
            value: 5000,
            currency: 'USD',
            custom_fields: { [EXTERNAL_ID_KEY]: null },
          },
    previous: 'previous' in overrides ? overrides.previous : { stage_id: 4 },
  };
}

function parse(body: unknown): WebhookV2Event {
  const r = parseWebhookV2(body);
  if (!r.ok) throw new Error(`expected a valid webhook: ${r.issues.join('; ')}`);
  return r.event;
}

describe('parseWebhookV2', () => {
  test('string ids (docs) and number ids (captures) normalise to the same strings', () => {
    const fromStrings = parse(docExample());
    const fromNumbers = parse(
      docExample({
        meta: {
          entity_id: 746,
          company_id: 123,
          user_id: 123,
          webhook_id: 456,
          webhook_owner_id: 123,
          permitted_user_ids: [123],
          attempt: '2',
        },
        data: { id: '746', stage_id: '5', owner_id: '123', value: '5000' },
      }),
    );
    for (const e of [fromStrings, fromNumbers]) {
      expect(e.meta.entity_id).toBe('746');
      expect(e.meta.company_id).toBe('123');
      expect(e.meta.user_id).toBe('123');
      expect(e.meta.permitted_user_ids).toEqual(['123']);
      expect(e.data?.id).toBe('746');
      expect(e.data?.stage_id).toBe('5');
      expect(e.data?.value).toBe(5000);
    }
    expect(fromNumbers.meta.attempt).toBe(2);
    expect(fromStrings.meta.attempt).toBe(1);
  });

  test('unknown extra keys are kept, not rejected', () => {
    const e = parse(docExample({ meta: { brand_new_meta: 'x' }, data: { id: 1, stage_id: 5, merged_to_id: 9 } }));
    expect((e.meta as Record<string, unknown>)['brand_new_meta']).toBe('x');
    expect((e.data as Record<string, unknown>)['merged_to_id']).toBe(9);
  });

  test('create: previous null', () => {
    const e = parse(docExample({ meta: { action: 'create' }, previous: null }));
    expect(e.previous).toBeNull();
  });

  test('delete: data null; missing data/previous keys default to null', () => {
    expect(parse(docExample({ meta: { action: 'delete' }, data: null })).data).toBeNull();
    const body = docExample();
    delete body['data'];
    delete body['previous'];
    const e = parse(body);
    expect(e.data).toBeNull();
    expect(e.previous).toBeNull();
  });

  test('previous with custom_fields only', () => {
    const e = parse(docExample({ previous: { custom_fields: { [EXTERNAL_ID_KEY]: null } } }));
    expect(e.previous?.custom_fields).toEqual({ [EXTERNAL_ID_KEY]: null });
  });

  test("is_bulk_edit as 'true' string becomes a boolean", () => {
    expect(parse(docExample({ meta: { is_bulk_edit: 'true' } })).meta.is_bulk_edit).toBe(true);
  });

  test.each([
    ['not an object', 'hello'],
    ['no meta', { data: {}, previous: null }],
    ['meta without event id', docExample({ meta: { id: undefined } })],
    ['meta without company id', docExample({ meta: { company_id: undefined } })],
    ['entity id of wrong type', docExample({ meta: { entity_id: { x: 1 } } })],
    ['empty entity id', docExample({ meta: { entity_id: '' } })],
    ['data is an array', docExample({ data: [1, 2] })],
  ])('rejects %s with readable issues', (_label, body) => {
    const r = parseWebhookV2(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.length).toBeGreaterThan(0);
  });
});

describe('parseWebhookV2: ids are bounded and shaped (a poison id is refused at the door, not queued)', () => {
  const SAYS = 'a Pipedrive id is digits only, at most 32 of them';
  test.each([
    ['a deal id of 33 digits', { meta: { entity_id: '1'.repeat(33) } }, 'meta.entity_id'],
    ['a deal id of 4,000 digits', { meta: { entity_id: '9'.repeat(4000) } }, 'meta.entity_id'],
    ['a deal id with letters', { meta: { entity_id: '74a6' } }, 'meta.entity_id'],
    ['a deal id of ".."', { meta: { entity_id: '..' } }, 'meta.entity_id'],
    ['a negative deal id', { meta: { entity_id: -5 } }, 'meta.entity_id'],
    ['a fractional deal id', { meta: { entity_id: 1.5 } }, 'meta.entity_id'],
    ['a company id with a path', { meta: { company_id: '123/../1' } }, 'meta.company_id'],
    ['a user id too long', { meta: { user_id: '7'.repeat(40) } }, 'meta.user_id'],
    ['a data.id that is not digits', { data: { id: '746 OR 1=1', stage_id: 5 } }, 'data.id'],
  ])('%s is refused, saying why', (_label, over, path) => {
    const r = parseWebhookV2(docExample(over as never));
    expect(r).toEqual({ ok: false, issues: [`${path}: ${SAYS}`] });
  });

  test('an event id over 128 characters is refused (it becomes part of an edit workflow id)', () => {
    const r = parseWebhookV2(docExample({ meta: { id: 'e'.repeat(129) } }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatch(/^meta\.id: /);
    expect(parseWebhookV2(docExample({ meta: { id: 'e'.repeat(128) } })).ok).toBe(true);
  });

  test('32 digits, as a string or a safe integer, pass and normalise', () => {
    expect(parse(docExample({ meta: { entity_id: '1'.repeat(32) } })).meta.entity_id).toBe('1'.repeat(32));
    expect(parse(docExample({ meta: { entity_id: ' 746 ' } })).meta.entity_id).toBe('746');
    expect(parse(docExample({ meta: { entity_id: Number.MAX_SAFE_INTEGER } })).meta.entity_id).toBe(
      String(Number.MAX_SAFE_INTEGER),
    );
  });
});

describe('isStageChangeTo', () => {
  test.each([
    ['moved 4 → 5, target 5 (number)', docExample(), 5, true],
    ['moved 4 → 5, target "5" (string)', docExample(), '5', true],
    [
      'string stage ids on the wire',
      docExample({ data: { id: '746', stage_id: '5' }, previous: { stage_id: '4' } }),
      5,
      true,
    ],
    ['moved into another stage', docExample(), 6, false],
    ['edit while already in stage (no previous.stage_id)', docExample({ previous: { title: 'Old' } }), 5, false],
    ['previous stage equals target', docExample({ previous: { stage_id: 5 } }), 5, false],
    ['create directly in stage', docExample({ meta: { action: 'create' }, previous: null }), 5, false],
    ['delete', docExample({ meta: { action: 'delete' }, data: null, previous: null }), 5, false],
    ['person entity', docExample({ meta: { entity: 'person' } }), 5, false],
  ])('%s → %s', (_label, body, stage, expected) => {
    expect(isStageChangeTo(parse(body), stage)).toBe(expected);
  });
});

describe('isCreatedInStage', () => {
  test.each([
    ['created in the stage', docExample({ meta: { action: 'create' }, previous: null }), 5, true],
    [
      'created in the stage, string ids',
      docExample({ meta: { action: 'create' }, data: { id: '746', stage_id: '5' }, previous: null }),
      '5',
      true,
    ],
    ['created in another stage', docExample({ meta: { action: 'create' }, previous: null }), 6, false],
    ['a change, not a create', docExample(), 5, false],
    ['a person', docExample({ meta: { action: 'create', entity: 'person' }, previous: null }), 5, false],
  ])('%s → %s', (_label, body, stage, expected) => {
    expect(isCreatedInStage(parse(body), stage)).toBe(expected);
  });
});

describe('isOwnWriteBack (loop guard, docs/architecture.md#write-back-loops)', () => {
  const opts = { integrationUserId: '999', orchestratorFieldKeys: ORCHESTRATOR_KEYS };

  test.each([
    ['api + our user (string id)', docExample({ meta: { change_source: 'api', user_id: '999' } }), true],
    ['api + our user (number id on the wire)', docExample({ meta: { change_source: 'api', user_id: 999 } }), true],
    ['api + another integration user', docExample({ meta: { change_source: 'api', user_id: '555' } }), false],
    [
      'app + our user id (a human logged in as the integration user)',
      docExample({ meta: { change_source: 'app', user_id: '999' } }),
      false,
    ],
    [
      'human change: only orchestrator fields in previous',
      docExample({ previous: { custom_fields: { [EXTERNAL_ID_KEY]: null } } }),
      true,
    ],
    [
      'two orchestrator fields + update_time bookkeeping',
      docExample({
        previous: {
          update_time: '2026-01-01T00:00:00Z',
          custom_fields: { [EXTERNAL_ID_KEY]: null, [STATUS_KEY]: 'x' },
        },
      }),
      true,
    ],
    [
      'orchestrator field + a human field',
      docExample({ previous: { custom_fields: { [EXTERNAL_ID_KEY]: null, [HUMAN_FIELD_KEY]: 'y' } } }),
      false,
    ],
    [
      'orchestrator field + stage change',
      docExample({ previous: { stage_id: 4, custom_fields: { [EXTERNAL_ID_KEY]: null } } }),
      false,
    ],
    ['stage change only', docExample(), false],
    ['empty previous', docExample({ previous: {} }), false],
    ['empty custom_fields', docExample({ previous: { custom_fields: {} } }), false],
    ['create (previous null)', docExample({ meta: { action: 'create' }, previous: null }), false],
  ])('%s → %s', (_label, body, expected) => {
    expect(isOwnWriteBack(parse(body), opts)).toBe(expected);
  });

  test('accepts a Set of keys and a numeric integration user id', () => {
    const e = parse(docExample({ meta: { change_source: 'api', user_id: '999' } }));
    expect(isOwnWriteBack(e, { integrationUserId: 999, orchestratorFieldKeys: new Set<string>() })).toBe(true);
  });

  test('unknown integration user: only the previous-fields rule applies', () => {
    const e = parse(docExample({ meta: { change_source: 'api', user_id: '999' } }));
    expect(isOwnWriteBack(e, { integrationUserId: undefined, orchestratorFieldKeys: ORCHESTRATOR_KEYS })).toBe(false);
  });
});

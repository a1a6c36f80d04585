/** Pure parts of the Pipedrive client: custom field decoding/encoding, addresses, webhook plans, error mapping. */
import { AxiosError, AxiosHeaders } from 'axios';
import { decodeCustomField, encodeCustomField } from '../../../integrations/pipedrive/custom-field-values';
import type { FieldInfo } from '../../../integrations/pipedrive/field-catalog';
import { toPipedriveError } from '../../../integrations/pipedrive/pipedrive-error';
import { toPostalAddress } from '../../../integrations/pipedrive/postal-address';
import { planWebhook } from '../../../integrations/pipedrive/webhook-registration';

const enumField: FieldInfo = {
  key: 'k',
  name: 'Onboarding package',
  type: 'enum',
  options: [
    { id: '101', label: 'STARTER' },
    { id: '102', label: 'GROWTH' },
  ],
};
const userField: FieldInfo = { key: 'u', name: 'CSM', type: 'user', options: [] };
const setField: FieldInfo = {
  key: 's',
  name: 'Tags',
  type: 'set',
  options: [
    { id: '1', label: 'A' },
    { id: '2', label: 'B' },
  ],
};
const textField: FieldInfo = { key: 't', name: 'Tax ID', type: 'varchar', options: [] };
const money: FieldInfo = { key: 'm', name: 'Budget', type: 'monetary', options: [] };

describe('custom field values', () => {
  it.each([
    [enumField, 102, 'GROWTH'],
    [enumField, '101', 'STARTER'],
    [userField, 3, '3'],
    [userField, { id: 3, name: 'Casey' }, '3'],
    [setField, [1, 2], 'A,B'],
    [setField, '2', 'B'],
    [textField, 'GB123', 'GB123'],
    [textField, '', undefined],
    [textField, null, undefined],
    [money, { value: 100, currency: 'EUR' }, '100'],
  ])('decodes %j %j', (field, raw, expected) => {
    expect(decodeCustomField(field, raw)).toBe(expected);
  });

  it('encodes labels to option ids and user ids to numbers, null clears', () => {
    expect(encodeCustomField(enumField, 'GROWTH')).toBe(102);
    expect(encodeCustomField(userField, '3')).toBe(3);
    expect(encodeCustomField(textField, 'x')).toBe('x');
    expect(encodeCustomField(enumField, null)).toBeNull();
    expect(() => encodeCustomField(enumField, 'PLATINUM')).toThrow('no option');
  });
});

describe('toPostalAddress', () => {
  it('puts the number where the country writes it and normalises the country', () => {
    expect(
      toPostalAddress({
        street_number: '12',
        route: 'Friedrichstraße',
        locality: 'Berlin',
        country: 'Germany',
        postal_code: '10117',
      }),
    ).toEqual({
      street: 'Friedrichstraße 12',
      city: 'Berlin',
      postalCode: '10117',
      country: 'DE',
    });
    expect(
      toPostalAddress({
        street_number: '221B',
        route: 'Baker Street',
        country: 'United Kingdom',
        subpremise: 'Flat 2',
      }),
    ).toMatchObject({
      street: '221B Baker Street',
      street2: 'Flat 2',
      country: 'GB',
    });
    expect(toPostalAddress({ value: 'somewhere', country: 'Narnia' })).toEqual({ formatted: 'somewhere' });
    expect(toPostalAddress(null)).toBeUndefined();
  });
});

describe('planWebhook', () => {
  const wanted = { subscriptionUrl: 'https://app/webhooks/pipedrive', user: 'u', password: 'p' };
  const hook = (id: number, over: Record<string, unknown> = {}) => ({
    id,
    subscription_url: wanted.subscriptionUrl,
    event_object: 'deal',
    event_action: 'change',
    version: '2.0',
    http_auth_user: 'u',
    http_auth_password: 'p',
    ...over,
  });

  it('keeps an identical one, replaces other credentials or versions at our URL, ignores other URLs', () => {
    expect(planWebhook([], wanted)).toEqual({ create: true, remove: [] });
    expect(planWebhook([hook(1)], wanted)).toEqual({ keep: 1, remove: [] });
    expect(planWebhook([hook(1, { http_auth_password: 'old' })], wanted)).toEqual({ create: true, remove: [1] });
    expect(planWebhook([hook(1, { version: '1.0' }), hook(2)], wanted)).toEqual({ keep: 2, remove: [1] });
    expect(planWebhook([hook(1, { subscription_url: 'https://other' })], wanted)).toEqual({ create: true, remove: [] });
    expect(planWebhook([hook(1, { http_auth_password: undefined })], wanted)).toEqual({ keep: 1, remove: [] });
  });
});

describe('toPipedriveError', () => {
  const fail = (
    status: number,
    headers: Record<string, string> = {},
    data: unknown = { success: false, error: 'Nope' },
  ) =>
    new AxiosError('boom', 'ERR_BAD_RESPONSE', undefined, undefined, {
      status,
      statusText: '',
      headers: new AxiosHeaders(headers),
      config: { headers: new AxiosHeaders() },
      data,
    });

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [400, 'validation'],
    [429, 'transient'],
    [502, 'transient'],
  ])('HTTP %i ⇒ %s', (status, kind) => {
    expect(toPipedriveError(fail(status), 'GET /x')).toMatchObject({ vendor: 'pipedrive', kind, extra: { status } });
  });

  it('429 takes retryAfterMs from Retry-After, else x-ratelimit-reset seconds', () => {
    expect(toPipedriveError(fail(429, { 'x-ratelimit-reset': '2' }), 'GET /x').extra.retryAfterMs).toBe(2000);
    expect(
      toPipedriveError(fail(429, { 'retry-after': '7', 'x-ratelimit-reset': '2' }), 'GET /x').extra.retryAfterMs,
    ).toBe(7000);
  });

  it('a timeout without response is transient', () => {
    expect(toPipedriveError(new AxiosError('timeout of 10ms exceeded', 'ECONNABORTED'), 'GET /x')).toMatchObject({
      kind: 'transient',
      message: expect.stringContaining('timed out'),
    });
  });
});

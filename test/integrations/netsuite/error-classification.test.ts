/** NetSuite status + error body → VendorError kind, table-driven over the codes reference/external-apis.md lists. */
import { errorFromResponse, errorFromTransport } from '../../../integrations/netsuite/error-classification';

const body = (status: number, code: string, extra: Record<string, string> = {}) => ({
  type: 'https://www.rfc-editor.org/rfc/rfc9110.html',
  title: 'x',
  status,
  'o:errorDetails': [{ detail: `detail for ${code}`, 'o:errorCode': code, ...extra }],
});

test.each([
  [401, body(401, 'INVALID_LOGIN'), 'auth'],
  [403, body(403, 'INSUFFICIENT_PERMISSION'), 'auth'],
  [429, body(429, 'CONCURRENCY_LIMIT_EXCEEDED'), 'transient'],
  [500, body(500, 'UNEXPECTED_ERROR'), 'transient'],
  [502, '<html>Bad Gateway</html>', 'transient'],
  [503, '', 'transient'],
  [400, body(400, 'USER_ERROR', { 'o:errorPath': 'companyName' }), 'validation'],
  [400, body(400, 'INVALID_KEY_OR_REF', { 'o:errorPath': 'subsidiary' }), 'validation'],
  [400, body(400, 'INVALID_PARAMETER', { 'o:errorQueryParam': 'q' }), 'validation'],
  [404, body(404, 'NONEXISTENT_ID', { 'o:errorPath': 'item.items[0].item' }), 'validation'],
  [404, body(404, 'NONEXISTENT_ID'), 'not_found'],
  [400, body(400, 'IDEMPOTENCY_ERROR', { 'o:errorHeader': 'X-NetSuite-Idempotency-Key' }), 'conflict'],
])('HTTP %i %j ⇒ %s', (status, responseBody, kind) => {
  const err = errorFromResponse('PUT record/v1/customer/eid:PD-1', { status, body: responseBody, headers: {} });
  expect(err.kind).toBe(kind);
  expect(err.vendor).toBe('netsuite');
  expect(err.extra.status).toBe(status);
});

test('validation details carry code, path and NetSuite detail; the message carries code and path only', () => {
  const err = errorFromResponse('PUT record/v1/customer/eid:PD-1', {
    status: 400,
    body: body(400, 'USER_ERROR', { 'o:errorPath': 'email', detail: 'Invalid email jane.doe@example.com' }),
    headers: {},
  });
  expect(err.extra.details).toEqual([
    { code: 'USER_ERROR', path: 'email', message: 'Invalid email jane.doe@example.com' },
  ]);
  expect(err.message).toBe('NetSuite PUT record/v1/customer/eid:PD-1 failed: HTTP 400 (USER_ERROR at email)');
});

test('IDEMPOTENCY_ERROR keeps the earlier job Location; Retry-After becomes retryAfterMs', () => {
  const conflict = errorFromResponse('PUT x', {
    status: 400,
    body: body(400, 'IDEMPOTENCY_ERROR'),
    headers: { location: 'https://a.suitetalk.api.netsuite.com/services/rest/async/v1/job/7' },
  });
  expect(conflict.extra.location).toMatch(/job\/7$/);
  const throttled = errorFromResponse('GET x', {
    status: 429,
    body: body(429, 'CONCURRENCY_LIMIT_EXCEEDED'),
    headers: { 'retry-after': '5' },
  });
  expect(throttled.extra.retryAfterMs).toBe(5000);
});

test.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ENOTFOUND'])(
  'transport %s ⇒ transient',
  (code) => {
    const err = errorFromTransport('GET x', Object.assign(new Error('socket hang up'), { code }), 1000);
    expect(err).toMatchObject({ kind: 'transient', extra: { code } });
  },
);

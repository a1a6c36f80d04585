/**
 * Answers real NetSuite may give that the simulator does not (undocumented upsert response, error wrapped in a 200 task
 * result, a proxy's HTML 502, 403): a stub HTTP server plays them, so the client's handling is pinned down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetSuiteClient } from '../../../integrations/netsuite';
import { VendorError } from '../../../integrations/vendor-error';
import { customerBody, thrown } from './fixtures';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let client: NetSuiteClient;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new NetSuiteClient({
    baseUrl: `http://127.0.0.1:${port}`,
    accountId: 'A',
    consumerKey: 'ck',
    consumerSecret: 'cs',
    tokenId: 'tk',
    tokenSecret: 'ts',
    concurrencyLimit: 2,
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'application/vnd.oracle.resource+json; type=singular; charset=UTF-8',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

test('an upsert answered without Location reads the id back by eid:', async () => {
  handler = (req, res) => {
    if (req.method === 'PUT') return void res.writeHead(204).end();
    json(res, 200, { links: [], id: '77', externalId: 'PD-NOLOC' });
  };
  await expect(client.upsertCustomer('PD-NOLOC', customerBody('PD-NOLOC'))).resolves.toEqual({ customerId: '77' });
  expect(seen).toEqual([
    'PUT /services/rest/record/v1/customer/eid:PD-NOLOC',
    'GET /services/rest/record/v1/customer/eid:PD-NOLOC',
  ]);
});

test('a task result that is an error body inside a 200 is still the job failure', async () => {
  handler = (req, res) => {
    const url = req.url ?? '';
    if (url.endsWith('/task')) return json(res, 200, { items: [{ id: '3', links: [] }] });
    if (url.endsWith('/task/3')) return json(res, 200, { completed: true, progress: 'failed', links: [] });
    json(res, 200, {
      status: 400,
      'o:errorDetails': [
        { detail: 'Invalid Field Value', 'o:errorCode': 'INVALID_KEY_OR_REF', 'o:errorPath': 'terms' },
      ],
    });
  };
  const err = (await thrown(() => client.getJobOutcome('9'))) as VendorError;
  expect(err).toMatchObject({
    kind: 'validation',
    extra: { status: 400, code: 'INVALID_KEY_OR_REF', details: [{ path: 'terms' }] },
  });
});

test("a proxy's HTML 502 is transient; 403 INSUFFICIENT_PERMISSION is auth; a 200 of the wrong shape is transient", async () => {
  handler = (_req, res) => {
    res.writeHead(502, { 'Content-Type': 'text/html' });
    res.end('<html>Bad Gateway</html>');
  };
  await expect(client.getJob('1')).rejects.toMatchObject({ kind: 'transient', extra: { status: 502 } });

  handler = (_req, res) =>
    json(res, 403, {
      status: 403,
      'o:errorDetails': [{ detail: 'Permission Violation', 'o:errorCode': 'INSUFFICIENT_PERMISSION' }],
    });
  await expect(client.loadReferenceData()).rejects.toMatchObject({
    kind: 'auth',
    extra: { code: 'INSUFFICIENT_PERMISSION' },
  });

  handler = (_req, res) => json(res, 200, { unexpected: true });
  const err = (await thrown(() => client.getJob('1'))) as VendorError;
  expect(err).toBeInstanceOf(VendorError);
  expect(err.kind).toBe('transient');
});

test('a created invoice without Location is reported, not guessed', async () => {
  handler = (_req, res) => void res.writeHead(204).end();
  await expect(client.createInvoice({} as never)).rejects.toMatchObject({
    kind: 'transient',
    message: expect.stringContaining('no Location'),
  });
});

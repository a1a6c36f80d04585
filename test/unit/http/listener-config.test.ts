/** The listeners' configuration (runtime/config.ts): the internal listener's defaults, auth and start-up refusal; the public limit. */
import { ConfigError, isLoopbackHost, parseConfig } from '../../../runtime/config';

function issuesOf(env: NodeJS.ProcessEnv): Array<{ variable: string; expected: string }> {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('listener configuration', () => {
  it('defaults: internal listener on 127.0.0.1:3001 without auth, public rate limit 1000/s, no trusted proxy', () => {
    const config = parseConfig({});
    expect(config.opsHttp).toEqual({ host: '127.0.0.1', port: 3001, url: 'http://127.0.0.1:3001' });
    expect(config.app).toMatchObject({ host: '127.0.0.1', port: 3000, rateLimitPerSec: 1000, trustProxy: false });
  });

  it('refuses a non-loopback internal listener without credentials, naming the variables that fix it', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'ops.internal.example']) {
      const issues = issuesOf({ OPS_HOST: host });
      expect(issues).toHaveLength(1);
      expect(issues[0]!.variable).toBe('OPS_HOST');
      expect(issues[0]!.expected).toMatch(
        /not a loopback address.*OPS_BEARER_TOKEN.*OPS_BASIC_USER and OPS_BASIC_PASSWORD.*OPS_HOST=127\.0\.0\.1/,
      );
    }
    // The message lists it with the others, one line per variable.
    let message = '';
    try {
      parseConfig({ OPS_HOST: '0.0.0.0', OPS_BASIC_USER: 'prometheus' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^ {2}OPS_BASIC_PASSWORD: /m);
    expect(message).toMatch(/^ {2}OPS_HOST: 0\.0\.0\.0 is not a loopback address/m);
  });

  it('accepts a non-loopback internal listener with a bearer token, a Basic pair, or both', () => {
    expect(parseConfig({ OPS_HOST: '0.0.0.0', OPS_BEARER_TOKEN: 'b'.repeat(32) }).opsHttp).toEqual({
      host: '0.0.0.0',
      port: 3001,
      url: 'http://127.0.0.1:3001',
      auth: { bearerToken: 'b'.repeat(32) },
    });
    expect(
      parseConfig({
        OPS_HOST: '10.1.2.3',
        OPS_PORT: '9100',
        OPS_BASIC_USER: 'prometheus',
        OPS_BASIC_PASSWORD: 'p'.repeat(12),
      }).opsHttp,
    ).toEqual({
      host: '10.1.2.3',
      port: 9100,
      url: 'http://10.1.2.3:9100',
      auth: { basic: { user: 'prometheus', password: 'p'.repeat(12) } },
    });
    const both = parseConfig({
      OPS_HOST: '::',
      OPS_BEARER_TOKEN: 'b'.repeat(16),
      OPS_BASIC_USER: 'u',
      OPS_BASIC_PASSWORD: 'p'.repeat(12),
    }).opsHttp.auth;
    expect(both).toEqual({ bearerToken: 'b'.repeat(16), basic: { user: 'u', password: 'p'.repeat(12) } });
    // Auth is honoured on loopback too, for teams that want it there.
    expect(parseConfig({ OPS_BEARER_TOKEN: 'b'.repeat(16) }).opsHttp.auth).toEqual({ bearerToken: 'b'.repeat(16) });
  });

  it('names weak or half-set credentials, a shared port and a bad limit', () => {
    expect(
      issuesOf({
        OPS_BEARER_TOKEN: 'short',
        OPS_BASIC_PASSWORD: 'short',
        PUBLIC_RATE_LIMIT_PER_SEC: '-1',
        PUBLIC_TRUST_PROXY: 'yes',
      })
        .map((i) => i.variable)
        .sort(),
    ).toEqual(['OPS_BASIC_PASSWORD', 'OPS_BEARER_TOKEN', 'PUBLIC_RATE_LIMIT_PER_SEC', 'PUBLIC_TRUST_PROXY']);
    expect(issuesOf({ OPS_BASIC_PASSWORD: 'p'.repeat(12) })).toEqual([
      { variable: 'OPS_BASIC_USER', expected: expect.stringContaining('needs both') },
    ]);
    expect(issuesOf({ APP_PORT: '8080', OPS_PORT: '8080' })).toEqual([
      { variable: 'OPS_PORT', expected: expect.stringContaining('other than APP_PORT') },
    ]);
  });

  it('takes the rate limit and the trusted proxies from the environment', () => {
    expect(
      parseConfig({ PUBLIC_RATE_LIMIT_PER_SEC: '0', PUBLIC_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).app,
    ).toMatchObject({ rateLimitPerSec: 0, trustProxy: '10.0.0.0/8, 192.168.1.7' });
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '::ffff:10.0.0.1'])
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
  });
});

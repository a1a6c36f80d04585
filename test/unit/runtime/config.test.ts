import { ConfigError, parseConfig, sandboxedVendors } from '../../../runtime/config';
import { DEFAULT_PORTS } from '../../../runtime/defaults';

function issuesOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.variable);
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('runs on embedded defaults with nothing set: contract ports, all vendors in sandbox mode', () => {
    const config = parseConfig({});
    expect(config.temporal.address).toBe(`127.0.0.1:${DEFAULT_PORTS.temporalGrpc}`);
    expect(config.temporal.uiUrl).toBe(`http://127.0.0.1:${DEFAULT_PORTS.temporalUi}`);
    expect(config.app.port).toBe(DEFAULT_PORTS.app);
    expect(config.simulatorPorts).toEqual({ netsuite: 4010, pipedrive: 4020, slack: 4030 });
    expect(sandboxedVendors(config)).toEqual(['pipedrive', 'netsuite', 'slack']);
  });

  it('names every wrong variable at once, with what it expects', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({
        APP_PORT: 'eighty',
        TEMPORAL_PORT: '70000',
        LOG_LEVEL: 'loud',
        TEMPORAL_TLS: 'maybe',
        SLACK_BOT_TOKEN: 'xoxp-user',
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues.map((i) => i.variable).sort()).toEqual([
      'APP_PORT',
      'LOG_LEVEL',
      'SLACK_BOT_TOKEN',
      'TEMPORAL_PORT',
      'TEMPORAL_TLS',
    ]);
    expect(error!.message).toMatch(/TEMPORAL_PORT: a TCP port/);
    expect(error!.message).toMatch(/SLACK_BOT_TOKEN: a bot token starting with xoxb-/);
  });

  it('refuses half-configured vendor credentials and names the missing ones', () => {
    expect(issuesOf({ NETSUITE_ACCOUNT_ID: '1234567_SB1', NETSUITE_CONSUMER_KEY: 'ck' }).sort()).toEqual([
      'NETSUITE_CONSUMER_SECRET',
      'NETSUITE_TOKEN_ID',
      'NETSUITE_TOKEN_SECRET',
    ]);
  });

  it('derives the NetSuite REST host from the account id and leaves other vendors sandboxed', () => {
    const config = parseConfig({
      NETSUITE_ACCOUNT_ID: '1234567_SB1',
      NETSUITE_CONSUMER_KEY: 'ck',
      NETSUITE_CONSUMER_SECRET: 'cs',
      NETSUITE_TOKEN_ID: 'ti',
      NETSUITE_TOKEN_SECRET: 'ts',
    });
    expect(config.netsuite?.baseUrl).toBe('https://1234567-sb1.suitetalk.api.netsuite.com');
    expect(sandboxedVendors(config)).toEqual(['pipedrive', 'slack']);
  });

  it('lets the worker queue as many NetSuite activities as its budget unless NETSUITE_QUEUED_ACTIVITIES says otherwise', () => {
    const creds = {
      NETSUITE_ACCOUNT_ID: '1234567',
      NETSUITE_CONSUMER_KEY: 'ck',
      NETSUITE_CONSUMER_SECRET: 'cs',
      NETSUITE_TOKEN_ID: 'ti',
      NETSUITE_TOKEN_SECRET: 'ts',
    };
    expect(parseConfig({ ...creds, NETSUITE_CONCURRENCY_LIMIT: '7' }).netsuite).toMatchObject({
      concurrencyLimit: 7,
      queuedActivities: 7,
    });
    expect(parseConfig({ ...creds, NETSUITE_QUEUED_ACTIVITIES: '0' }).netsuite).toMatchObject({
      concurrencyLimit: 5,
      queuedActivities: 0,
    });
    expect(issuesOf({ ...creds, NETSUITE_QUEUED_ACTIVITIES: '-1' })).toEqual(['NETSUITE_QUEUED_ACTIVITIES']);
  });

  it('hands the worker and the app the Node flags of WORKER_NODE_FLAGS and APP_NODE_FLAGS, and names the variable when Node refuses them', () => {
    expect(
      parseConfig({ WORKER_NODE_FLAGS: ' --optimize-for-size  --max-semi-space-size=2 ' }).worker.nodeFlags,
    ).toEqual(['--optimize-for-size', '--max-semi-space-size=2']);
    expect(parseConfig({}).worker.nodeFlags).toEqual([]);
    let error: ConfigError | undefined;
    try {
      parseConfig(
        { WORKER_NODE_FLAGS: '--max-semi-space-sise=2', WORKER_MAX_CACHED_WORKFLOWS: '-1' },
        { probeNodeFlags: true },
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.issues.map((i) => i.variable).sort()).toEqual(['WORKER_MAX_CACHED_WORKFLOWS', 'WORKER_NODE_FLAGS']);
    expect(error?.message).toMatch(/WORKER_NODE_FLAGS.*--max-semi-space-sise/);
    // Not a flag at all: refused by its form, probe or not.
    expect(issuesOf({ WORKER_NODE_FLAGS: 'optimize-for-size' })).toEqual(['WORKER_NODE_FLAGS']);
    expect(parseConfig({ APP_NODE_FLAGS: '--single-threaded-gc' }, { probeNodeFlags: true }).app.nodeFlags).toEqual([
      '--single-threaded-gc',
    ]);
    expect(parseConfig({}).app.nodeFlags).toEqual([]);
    expect(() => parseConfig({ APP_NODE_FLAGS: '--single-threaded-gx' }, { probeNodeFlags: true })).toThrow(
      /APP_NODE_FLAGS: Node flags for the app.*Node refuses them/,
    );
  });

  it('asks Node about the flags only for launchers (probeNodeFlags), so the worker and app parse without spawning', () => {
    // Well-formed but unknown to Node: only the probe can tell.
    expect(
      parseConfig({ WORKER_NODE_FLAGS: '--no-such-v8-flag-anywhere', APP_NODE_FLAGS: '--nor-this-one' }).worker
        .nodeFlags,
    ).toEqual(['--no-such-v8-flag-anywhere']);
    let error: ConfigError | undefined;
    try {
      parseConfig(
        { WORKER_NODE_FLAGS: '--no-such-v8-flag-anywhere', APP_NODE_FLAGS: '--nor-this-one' },
        { probeNodeFlags: true },
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.issues.map((i) => i.variable).sort()).toEqual(['APP_NODE_FLAGS', 'WORKER_NODE_FLAGS']);
  });

  it('treats empty strings from .env files as unset, and TEMPORAL_ADDRESS overrides host and port', () => {
    const config = parseConfig({
      SLACK_BOT_TOKEN: '',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_API_KEY: 'k',
    });
    expect(config.slack).toBeUndefined();
    expect(config.temporal.address).toBe('temporal.internal:7233');
    expect(config.temporal.tls).toBe(true);
  });
});

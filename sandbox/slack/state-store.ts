/**
 * The simulator's whole state in one JSON document. With a data file every mutation is written through
 * (temp file + rename, so a crash never leaves half a document); the data is small enough that this is cheaper
 * than anything cleverer.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { nextTs, randomToken } from './ids';
import type { SimulatorData } from './types';

export class StateStore {
  readonly data: SimulatorData;

  private constructor(
    data: SimulatorData,
    private readonly file: string | undefined,
  ) {
    this.data = data;
  }

  static open(
    file: string | undefined,
    secrets: { botToken?: string; signingSecret?: string; appToken?: string },
  ): StateStore {
    const loaded = file && existsSync(file) ? readData(file) : undefined;
    const data: SimulatorData = loaded ?? {
      version: 1,
      botToken: randomToken('xoxb-1700000000001-'),
      signingSecret: randomToken(''),
      verificationToken: randomToken('').slice(0, 24),
      lastTsMicros: 0,
      ...emptyCollections(),
    };
    if (secrets.botToken) data.botToken = secrets.botToken;
    if (secrets.signingSecret) data.signingSecret = secrets.signingSecret;
    if (secrets.appToken) data.appToken = secrets.appToken;
    data.appToken ??= randomToken('xapp-1-A0SANDBOX-1700000000001-');
    const store = new StateStore(data, file);
    store.commit();
    return store;
  }

  newTs(nowMs = Date.now()): string {
    const { ts, micros } = nextTs(this.data.lastTsMicros, nowMs);
    this.data.lastTsMicros = micros;
    return ts;
  }

  /** Clears what happened in the workspace; keeps secrets, config and the ts clock (so ts stay unique). */
  reset(): void {
    Object.assign(this.data, emptyCollections());
    this.commit();
  }

  commit(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
  }
}

function readData(file: string): SimulatorData {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SimulatorData;
  } catch (err) {
    throw new Error(
      `Slack simulator data file ${file} is not readable JSON (${err instanceof Error ? err.message : String(err)}): fix or delete it`,
    );
  }
}

function emptyCollections(): Pick<
  SimulatorData,
  'messages' | 'ephemerals' | 'responseUrls' | 'responses' | 'views' | 'triggers' | 'deliveries'
> {
  return { messages: [], ephemerals: [], responseUrls: [], responses: [], views: [], triggers: [], deliveries: [] };
}

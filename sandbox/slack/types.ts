/** Public options of the Slack simulator and the records it keeps (the persisted shape). */

export interface SlackSimulatorOptions {
  host?: string;
  port?: number;
  /** JSON file that keeps messages, views and secrets across restarts; undefined keeps everything in memory. */
  dataFile?: string;
  botToken?: string;
  signingSecret?: string;
  /** App-level token (xapp-…) that opens Socket Mode connections; generated and kept when not given. */
  appToken?: string;
  /** Deliver interactions over Socket Mode instead of POSTing them to the interactivity URL. */
  socketMode?: boolean;
  /** The app's Request URL, e.g. http://127.0.0.1:3000/slack/events. */
  interactivityUrl?: string;
  rateLimit?: { requestsPerMinute: number } | undefined;
  /** How long a trigger_id stays usable for views.open. Slack allows 3 s; default 30 s (see README). */
  triggerTtlMs?: number;
  logger?: (line: string) => void;
}

export interface SlackStackEntry {
  url: string;
  botToken: string;
  signingSecret: string;
  /** For Socket Mode (`apps.connections.open`). */
  appToken: string;
  reviewChannel: string;
  reviewerIds: string[];
}

export interface RunningSlackSimulator {
  url: string;
  port: number;
  stackEntry: SlackStackEntry;
  setInteractivityUrl(url: string): void;
  close(): Promise<void>;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  user: string;
  blocks?: Json[];
  attachments?: Json[];
  thread_ts?: string;
  edited?: { user: string; ts: string };
}

export interface StoredEphemeral {
  channel: string;
  /** The recipient: only this user would see it in Slack. */
  user: string;
  message_ts: string;
  text: string;
  blocks?: Json[];
  thread_ts?: string;
  source: 'chat.postEphemeral' | 'response_url';
}

export interface ResponseUrlGrant {
  id: string;
  channel: string;
  message_ts: string;
  user_id: string;
  is_ephemeral: boolean;
  issuedAtMs: number;
  uses: number;
}

export interface RecordedResponse {
  response_url_id: string;
  channel: string;
  message_ts: string;
  user_id: string;
  effect: 'replaced' | 'deleted' | 'ephemeral' | 'in_channel';
  /** ts of the message that the response created, when it created one. */
  ts?: string;
  body: JsonObject;
  atMs: number;
}

export interface StoredView {
  id: string;
  user_id: string;
  status: 'open' | 'closed';
  view: JsonObject;
  openedAtMs: number;
}

export interface IssuedTrigger {
  id: string;
  user_id: string;
  issuedAtMs: number;
  exchanged: boolean;
}

export interface DeliveryRecord {
  type: string;
  atMs: number;
  status: number;
  durationMs: number;
  forged: boolean;
}

export interface StoredUsergroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
}

export interface SimulatorConfig {
  interactivityUrl: string | undefined;
  rateLimit: { requestsPerMinute: number } | undefined;
}

/** Everything the simulator persists. */
export interface SimulatorData {
  version: 1;
  botToken: string;
  signingSecret: string;
  verificationToken: string;
  /** Older data files have none; one is generated when they are opened. */
  appToken?: string;
  interactivityUrl?: string;
  socketMode?: boolean;
  /** Workspace configuration like channels and people, so `reset` keeps them. */
  usergroups?: StoredUsergroup[];
  lastTsMicros: number;
  messages: StoredMessage[];
  ephemerals: StoredEphemeral[];
  responseUrls: ResponseUrlGrant[];
  responses: RecordedResponse[];
  views: StoredView[];
  triggers: IssuedTrigger[];
  deliveries: DeliveryRecord[];
}

/** Default ports and names of the embedded stack (docs/architecture.md#contracts). Every one is overridable by env. */
export const DEFAULT_PORTS = {
  temporalGrpc: 7233,
  temporalUi: 8233,
  app: 3000,
  ops: 3001,
  netsuiteSimulator: 4010,
  pipedriveSimulator: 4020,
  slackSimulator: 4030,
} as const;

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_HOST = '127.0.0.1';

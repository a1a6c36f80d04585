/** A Web API failure: Slack answers these with HTTP 200 and {"ok":false,"error":code}. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

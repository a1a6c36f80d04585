/** Pipedrive's response envelopes (reference/external-apis.md §2), shared by v1, v2 and the error handler. */
export const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

/** Thrown anywhere in a handler; the error handler turns it into Pipedrive's error envelope. */
export class PipedriveApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PipedriveApiError';
  }
}

export function notFound(what: string): PipedriveApiError {
  return new PipedriveApiError(404, `${what} not found`);
}

export function badRequest(message: string): PipedriveApiError {
  return new PipedriveApiError(400, message);
}

export function errorBody(message: string): Record<string, unknown> {
  return { success: false, error: message, error_info: ERROR_INFO, data: null, additional_data: null };
}

export function successBody(data: unknown, additionalData?: Record<string, unknown>): Record<string, unknown> {
  return additionalData === undefined
    ? { success: true, data }
    : { success: true, data, additional_data: additionalData };
}

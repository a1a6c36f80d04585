/** NetSuite's REST error envelope, thrown by handlers and rendered by the server in one place. */

export interface ErrorDetailExtras {
  errorPath?: string;
  errorQueryParam?: string;
  errorHeader?: string;
  errorUrl?: string;
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
  401: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2',
  403: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4',
  404: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5',
  405: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6',
  429: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4',
  500: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1',
  502: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.3',
  503: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4',
  504: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.5',
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export class NetSuiteError extends Error {
  readonly title: string;
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extras: ErrorDetailExtras = {},
    readonly headers: Record<string, string> = {},
    title?: string,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.title = title ?? TITLE_BY_STATUS[status] ?? 'Error';
  }

  body(): Record<string, unknown> {
    const detail: Record<string, unknown> = { detail: this.detail, 'o:errorCode': this.code };
    if (this.extras.errorPath !== undefined) detail['o:errorPath'] = this.extras.errorPath;
    if (this.extras.errorQueryParam !== undefined) detail['o:errorQueryParam'] = this.extras.errorQueryParam;
    if (this.extras.errorHeader !== undefined) detail['o:errorHeader'] = this.extras.errorHeader;
    if (this.extras.errorUrl !== undefined) detail['o:errorUrl'] = this.extras.errorUrl;
    return {
      type: TYPE_BY_STATUS[this.status] ?? TYPE_BY_STATUS[this.status >= 500 ? 500 : 400],
      title: this.title,
      status: this.status,
      'o:errorDetails': [detail],
    };
  }
}

/** NetSuite prefixes record-level validation messages this way. */
export function userError(detail: string, errorPath?: string): NetSuiteError {
  return new NetSuiteError(
    400,
    'USER_ERROR',
    `Error while accessing a resource. ${detail}`,
    errorPath === undefined ? {} : { errorPath },
  );
}

export function invalidReference(value: string, errorPath: string): NetSuiteError {
  return new NetSuiteError(
    400,
    'INVALID_KEY_OR_REF',
    `Error while accessing a resource. Invalid Field Value ${value} for the following field: ${errorPath}`,
    { errorPath },
  );
}

export function nonexistentRecord(errorUrl?: string): NetSuiteError {
  return new NetSuiteError(
    404,
    'NONEXISTENT_ID',
    'The record instance does not exist. Provide a valid record instance ID.',
    errorUrl === undefined ? {} : { errorUrl },
  );
}

export function invalidLogin(accountId: string): NetSuiteError {
  return new NetSuiteError(
    401,
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
    {},
    {
      'WWW-Authenticate': `OAuth realm="${accountId}", error="token_rejected", error_description="Invalid login attempt."`,
    },
  );
}

export function concurrencyLimitExceeded(): NetSuiteError {
  return new NetSuiteError(429, 'CONCURRENCY_LIMIT_EXCEEDED', 'Concurrent request limit exceeded. Request blocked.');
}

export function unexpectedError(status: number, errorId: string): NetSuiteError {
  return new NetSuiteError(status, 'UNEXPECTED_ERROR', `An unexpected error occurred. Error ID: ${errorId}`);
}

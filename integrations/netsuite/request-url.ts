/**
 * Builds the one URL string that is both signed and sent. Path segments and query values are percent-encoded here,
 * once; nothing downstream (axios is given no `params`) encodes again, so the signature matches what NetSuite sees.
 */
export type QueryParams = Record<string, string | number | undefined>;

export const REST_ROOT = '/services/rest/';

export function restUrl(baseUrl: string, path: string, query: QueryParams = {}): string {
  // Tolerate a base URL given with /services/rest (a common copy-paste from the NetSuite UI).
  const origin = baseUrl.replace(/\/+$/, '').replace(/\/services\/rest$/, '');
  const pairs = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return `${origin}${REST_ROOT}${path.replace(/^\/+/, '')}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`;
}

/** `record/v1/customer/eid:<externalId>`: eid: addressing works wherever an internal id does. */
export function recordPath(type: string, ref: { id: string } | { externalId: string }): string {
  const segment = 'id' in ref ? encodeURIComponent(ref.id) : `eid:${encodeURIComponent(ref.externalId)}`;
  return `record/v1/${type}/${segment}`;
}

/** NetSuite returns new ids only in `Location` (…/record/v1/customer/647, …/async/v1/job/12): the last path segment. */
export function idFromLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const path = location.split(/[?#]/)[0] ?? '';
  const last = path.replace(/\/+$/, '').split('/').pop();
  return last ? decodeURIComponent(last) : undefined;
}

/** Route with ids folded, for error messages and metrics labels: ids are fine to show, but folding keeps labels bounded. */
export function routeLabel(method: string, path: string): string {
  const folded = path
    .split('/')
    .map((segment) => (/^\d+$/.test(segment) || segment.startsWith('eid:') ? '{id}' : segment))
    .join('/');
  return `${method.toUpperCase()} ${folded}`;
}

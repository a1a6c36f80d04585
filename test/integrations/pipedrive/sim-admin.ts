/** Admin calls to the Pipedrive simulator (`/__sim/…`) for the client and intake tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function simCall<T = any>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { success: boolean; data: T; error?: string };
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${json.error ?? ''}`);
  return json.data;
}

export interface SyntheticDealIds {
  dealId: number;
  personId: number;
  orgId: number;
}

export async function createSyntheticDeal(
  baseUrl: string,
  body: Record<string, unknown> = {},
): Promise<SyntheticDealIds> {
  const data = await simCall<{ deal: { id: number }; person: { id: number }; organization: { id: number } }>(
    baseUrl,
    'POST',
    '/__sim/deals',
    body,
  );
  return { dealId: data.deal.id, personId: data.person.id, orgId: data.organization.id };
}

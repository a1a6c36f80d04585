/** Timestamps in the forms Pipedrive uses: RFC 3339 without milliseconds (v2) and `YYYY-MM-DD HH:MM:SS` UTC (v1). */
export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toV1Time(iso: string | null): string | null {
  return iso === null ? null : iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

export function isoDate(daysFromToday: number): string {
  return new Date(Date.now() + daysFromToday * 86_400_000).toISOString().slice(0, 10);
}

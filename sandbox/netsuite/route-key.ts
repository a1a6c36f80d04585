/** A request's route with ids folded to {id}, for stats and log lines (which must not carry external ids or data). */
export function routeKey(segments: string[]): string {
  return segments.map((s) => (/^\d+$/.test(s) || s.startsWith('eid:') ? '{id}' : s)).join('/');
}

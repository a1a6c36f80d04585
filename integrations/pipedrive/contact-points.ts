import type { ContactEntry } from '../../domain/canonical-deal';
import type { V2ContactPoint } from './wire-types';

/** A person's e-mails or phones as v2 lists them, blanks dropped and values trimmed: what the canonical deal keeps. */
export function contactEntries(points: V2ContactPoint[] | null | undefined): ContactEntry[] {
  return (points ?? [])
    .filter((p) => typeof p.value === 'string' && p.value.trim() !== '')
    .map((p) => ({ value: p.value.trim(), primary: p.primary === true, ...(p.label ? { label: p.label } : {}) }));
}

/** Sublists (addressBook, taxRegistration, item): stored as arrays, rendered as links or, when expanded, as a collection. */
import { selfLinks, type Link } from './references';

export function renderSublist(
  href: string,
  items: Array<Record<string, unknown>> | undefined,
  expand: boolean,
): Record<string, unknown> {
  if (!expand) return { links: selfLinks(href) };
  const list = items ?? [];
  return {
    links: selfLinks(href),
    items: list.map((item) => ({ links: [] as Link[], ...item })),
    totalResults: list.length,
    count: list.length,
    hasMore: false,
    offset: 0,
  };
}

/** Accepts `{items:[…]}` (NetSuite's shape) and, leniently, a bare array. */
export function sublistItems(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items))
    return (value as { items: unknown[] }).items;
  return undefined;
}

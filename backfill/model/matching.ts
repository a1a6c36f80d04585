/**
 * Backfill and cutover from a polling connector: what to do with one signed Pipedrive deal, given the NetSuite
 * customers that could be its customer (same externalId, same e-mail, same company name). Pure: the activity runs
 * the SuiteQL and hands the rows here, so the rules are table-tested and a rule change never breaks a replay.
 *
 * Order of evidence: the externalId (the orchestrator's own key) wins; then a single customer found by e-mail, then
 * a single one by company name. Several customers for one deal are the old connector's duplicates: listed for a
 * person to review, never written to. Nothing found at all: the deal's onboarding is started. A customer created for
 * another deal (its owner field, domain/external-id-owner.ts) is never matched, written or adopted for this one: a
 * conflict when nothing else matches.
 */
import { isValidExternalId } from '../../domain/external-id';
import { normaliseEmail, normaliseText } from '../../reconciliation/model/reconciliation';

export interface BackfillDeal {
  dealId: string;
  title: string;
  /** The deal's external_id: its External ID field when valid, else derived. */
  externalId: string;
  /** Whether the External ID field already holds `externalId` (nothing to write back to Pipedrive). */
  externalIdOnDeal: boolean;
  email?: string;
  organizationName?: string;
}

export interface CustomerCandidate {
  id: string;
  externalId?: string;
  email?: string;
  companyName?: string;
  /** The Pipedrive deal the customer was created for (PIPEDRIVE_DEAL_ID_FIELD, domain/external-id-owner.ts); empty: no deal yet. */
  ownerDealId?: string;
}

export type MatchedBy = 'externalId' | 'email' | 'companyName';

export type BackfillDecision =
  | {
      kind: 'matched';
      dealId: string;
      by: MatchedBy;
      customerId: string;
      /** The external_id the deal and the customer share from now on. */
      externalId: string;
      /** Set the NetSuite customer's externalId (it had none). */
      writeNetSuiteExternalId: boolean;
      /** Set the deal's External ID field (empty, or holding another value than `externalId`). */
      writePipedriveExternalId: boolean;
    }
  | { kind: 'start-onboarding'; dealId: string; externalId: string }
  | {
      kind: 'suspected-duplicates';
      dealId: string;
      externalId: string;
      /** Every customer that matched, lowest id first, with what matched. */
      customers: Array<{ id: string; externalId?: string; matchedOn: MatchedBy[] }>;
    }
  | {
      kind: 'conflict';
      dealId: string;
      externalId: string;
      customerId: string;
      /** Why nothing is written: a person decides which id wins, or whether the deal is a copy of another. */
      reason: 'deal-external-id-differs' | 'customer-external-id-invalid' | 'customer-belongs-to-another-deal';
      customerExternalId?: string;
      /** With `customer-belongs-to-another-deal`: the deal the customer was created for. */
      ownerDealId?: string;
    };

const idKey = (s: string | undefined): string => (s ?? '').trim().toLowerCase();
const byId = (a: CustomerCandidate, b: CustomerCandidate): number =>
  Number(a.id) - Number(b.id) || a.id.localeCompare(b.id);

/** What matched between a deal and a candidate customer. */
export function matchedOn(deal: BackfillDeal, c: CustomerCandidate): MatchedBy[] {
  const on: MatchedBy[] = [];
  if (idKey(c.externalId) !== '' && idKey(c.externalId) === idKey(deal.externalId)) on.push('externalId');
  if (normaliseEmail(deal.email) !== '' && normaliseEmail(deal.email) === normaliseEmail(c.email)) on.push('email');
  if (
    normaliseText(deal.organizationName) !== '' &&
    normaliseText(deal.organizationName) === normaliseText(c.companyName)
  )
    on.push('companyName');
  return on;
}

/** Set and naming another deal: the customer is that deal's, whatever this deal shares with it. */
const ownedByAnother = (deal: BackfillDeal, c: CustomerCandidate): boolean => {
  const owner = c.ownerDealId?.trim();
  return owner !== undefined && owner !== '' && owner !== deal.dealId.trim();
};

function belongsToAnotherDeal(deal: BackfillDeal, c: CustomerCandidate): BackfillDecision {
  return {
    kind: 'conflict',
    dealId: deal.dealId,
    externalId: deal.externalId,
    customerId: c.id,
    reason: 'customer-belongs-to-another-deal',
    ...(c.externalId?.trim() ? { customerExternalId: c.externalId.trim() } : {}),
    ownerDealId: c.ownerDealId!.trim(),
  };
}

export function decideBackfill(deal: BackfillDeal, candidates: readonly CustomerCandidate[]): BackfillDecision {
  const all = [...candidates]
    .sort(byId)
    .map((c) => ({ c, on: matchedOn(deal, c) }))
    .filter((m) => m.on.length > 0);

  // The orchestrator's own key: this deal is already linked (NetSuite keeps externalIds unique per record type),
  // unless the customer was created for another deal: a copied deal carries its original's External ID.
  const byExternalId = all.find((m) => m.on.includes('externalId'));
  if (byExternalId && ownedByAnother(deal, byExternalId.c)) return belongsToAnotherDeal(deal, byExternalId.c);
  // A customer created for another deal is never matched, stamped or adopted for this one (a second deal of the same
  // company shares its e-mail and name): when nothing else matches, a person decides.
  const matches = byExternalId ? all : all.filter((m) => !ownedByAnother(deal, m.c));
  if (matches.length === 0 && all.length > 0) return belongsToAnotherDeal(deal, all[0]!.c);
  if (byExternalId) {
    return {
      kind: 'matched',
      dealId: deal.dealId,
      by: 'externalId',
      customerId: byExternalId.c.id,
      externalId: deal.externalId,
      writeNetSuiteExternalId: false,
      writePipedriveExternalId: !deal.externalIdOnDeal,
    };
  }
  if (matches.length === 0) return { kind: 'start-onboarding', dealId: deal.dealId, externalId: deal.externalId };
  if (matches.length > 1) {
    return {
      kind: 'suspected-duplicates',
      dealId: deal.dealId,
      externalId: deal.externalId,
      customers: matches.map((m) => ({
        id: m.c.id,
        ...(m.c.externalId ? { externalId: m.c.externalId } : {}),
        matchedOn: m.on,
      })),
    };
  }

  const { c, on } = matches[0]!;
  const by: MatchedBy = on.includes('email') ? 'email' : 'companyName';
  const customerExternalId = c.externalId?.trim();
  if (!customerExternalId) {
    // The old connector made the customer without a key: it takes the deal's.
    return {
      kind: 'matched',
      dealId: deal.dealId,
      by,
      customerId: c.id,
      externalId: deal.externalId,
      writeNetSuiteExternalId: true,
      writePipedriveExternalId: !deal.externalIdOnDeal,
    };
  }
  // The customer has its own key (the old connector's). A deal without an External ID adopts it, so the
  // orchestrator and NetSuite agree without rewriting NetSuite; a deal that already has another one is a conflict.
  if (deal.externalIdOnDeal) {
    return {
      kind: 'conflict',
      dealId: deal.dealId,
      externalId: deal.externalId,
      customerId: c.id,
      reason: 'deal-external-id-differs',
      customerExternalId,
    };
  }
  if (!isValidExternalId(customerExternalId)) {
    return {
      kind: 'conflict',
      dealId: deal.dealId,
      externalId: deal.externalId,
      customerId: c.id,
      reason: 'customer-external-id-invalid',
      customerExternalId,
    };
  }
  return {
    kind: 'matched',
    dealId: deal.dealId,
    by,
    customerId: c.id,
    externalId: customerExternalId,
    writeNetSuiteExternalId: false,
    writePipedriveExternalId: true,
  };
}

export interface BackfillTotals {
  dealsSeen: number;
  matchedByExternalId: number;
  matchedByEmail: number;
  matchedByCompanyName: number;
  /** Written (or, in a dry run, that would be written). */
  netsuiteExternalIdsWritten: number;
  pipedriveExternalIdsWritten: number;
  onboardingsStarted: number;
  /** Deals with no customer whose external_id Temporal already knew (an onboarding ran or runs). */
  onboardingsAlreadyKnown: number;
  suspectedDuplicates: number;
  conflicts: number;
  /** Writes NetSuite or Pipedrive refused (validation, permissions): listed, the backfill goes on. */
  writeFailures: number;
}

export const EMPTY_TOTALS: BackfillTotals = {
  dealsSeen: 0,
  matchedByExternalId: 0,
  matchedByEmail: 0,
  matchedByCompanyName: 0,
  netsuiteExternalIdsWritten: 0,
  pipedriveExternalIdsWritten: 0,
  onboardingsStarted: 0,
  onboardingsAlreadyKnown: 0,
  suspectedDuplicates: 0,
  conflicts: 0,
  writeFailures: 0,
};

/** Counts of one page's decisions (writes and starts counted as planned; the caller corrects for what it did). */
export function tallyDecisions(decisions: readonly BackfillDecision[]): BackfillTotals {
  const t = { ...EMPTY_TOTALS, dealsSeen: decisions.length };
  for (const d of decisions) {
    if (d.kind === 'matched') {
      if (d.by === 'externalId') t.matchedByExternalId += 1;
      else if (d.by === 'email') t.matchedByEmail += 1;
      else t.matchedByCompanyName += 1;
      if (d.writeNetSuiteExternalId) t.netsuiteExternalIdsWritten += 1;
      if (d.writePipedriveExternalId) t.pipedriveExternalIdsWritten += 1;
    } else if (d.kind === 'suspected-duplicates') t.suspectedDuplicates += 1;
    else if (d.kind === 'conflict') t.conflicts += 1;
  }
  return t;
}

export function addTotals(a: BackfillTotals, b: Partial<BackfillTotals>): BackfillTotals {
  const out = { ...a };
  for (const k of Object.keys(out) as Array<keyof BackfillTotals>) out[k] += b[k] ?? 0;
  return out;
}

import { deriveExternalId, isValidExternalId, PIPEDRIVE_DEAL_ID_FIELD } from '../../../domain/external-id';
import { BELONGS_TO_DEAL, externalIdOwnershipConflict, ownerDealIdOf } from '../../../domain/external-id-owner';

describe('system workflow ids are never external ids', () => {
  it.each([
    'ops-watch',
    'ops-watch-ledger-3',
    'OPS-WATCH',
    'backfill',
    'backfill-dry-run',
    'reconcile-reconciliation-daily',
    'reconcile-2026-12-05T05-00-00-000Z',
    'reconciliation-daily',
    'abc-edit-evt1',
  ])('%s is refused, and a deal carrying it gets its own derived id', (id) => {
    expect(isValidExternalId(id)).toBe(false);
    expect(deriveExternalId({ companyId: 1, dealId: 2, existing: id })).toMatch(/^pd-[0-9a-f-]{36}$/);
  });
  it.each(['pd-b8a40298-99c5-49b7-b4e2-47f20e4ddfb9', 'ACME-1', 'ops-watcher', 'my-backfill', 'editor-1'])(
    '%s stays valid',
    (id) => {
      expect(isValidExternalId(id)).toBe(true);
    },
  );
});

describe('externalIdOwnershipConflict', () => {
  it('a customer created for another deal is refused, naming that deal and the fix', () => {
    const reason = externalIdOwnershipConflict({
      externalId: 'X-1',
      dealId: '20',
      customer: { id: '1001', [PIPEDRIVE_DEAL_ID_FIELD]: '10' } as { id: string },
    });
    expect(reason).toMatchObject({ field: 'deal.externalId', code: BELONGS_TO_DEAL, value: '10' });
    expect(reason?.message).toContain('deal 10');
    expect(reason?.suggestion).toContain('clear the External ID on deal 20');
  });
  it("the customer's own deal, a customer naming no deal, and no customer at all may be written", () => {
    expect(
      externalIdOwnershipConflict({
        externalId: 'X',
        dealId: '10',
        customer: { id: '1', [PIPEDRIVE_DEAL_ID_FIELD]: 10 } as { id: string },
      }),
    ).toBeUndefined();
    expect(
      externalIdOwnershipConflict({
        externalId: 'X',
        dealId: '10',
        customer: { id: '1', [PIPEDRIVE_DEAL_ID_FIELD]: ' ' } as { id: string },
      }),
    ).toBeUndefined();
    expect(externalIdOwnershipConflict({ externalId: 'X', dealId: '10', customer: { id: '1' } })).toBeUndefined();
    expect(externalIdOwnershipConflict({ externalId: 'X', dealId: '10', customer: undefined })).toBeUndefined();
  });
  it('reads the owner from a snapshot (customFields) as from a REST record', () => {
    expect(ownerDealIdOf({ id: '1', customFields: { [PIPEDRIVE_DEAL_ID_FIELD]: '77' } })).toBe('77');
    expect(ownerDealIdOf({ id: '1', [PIPEDRIVE_DEAL_ID_FIELD]: '78' })).toBe('78');
  });
});

import { checkHandoff } from '../../../domain/handoff-checklist';
import { makeDeal } from './fixtures';

const codes = (rs: { code: string }[]) => rs.map((r) => r.code);

describe('checkHandoff (the guide’s ownership & handoff gate)', () => {
  test('complete handoff passes with no findings', () => {
    expect(checkHandoff(makeDeal().deal, '2026-03-10T14:00:00Z')).toEqual({ reasons: [], warnings: [] });
  });

  test.each([
    ['CSM missing', { csmUserId: undefined }, ['handoff.csm_missing'], []],
    ['CSM blank', { csmUserId: '  ' }, ['handoff.csm_missing'], []],
    ['billing owner missing', { billingOwner: undefined }, ['handoff.billing_owner_missing'], []],
    ['both missing', { csmUserId: '', billingOwner: '' }, ['handoff.csm_missing', 'handoff.billing_owner_missing'], []],
    ['TTV missing ⇒ warning only', { expectedTimeToValue: undefined }, [], ['handoff.ttv_missing']],
    ['TTV unparseable', { expectedTimeToValue: '30/04/2026' }, ['handoff.ttv_invalid'], []],
    ['TTV impossible date', { expectedTimeToValue: '2026-02-30' }, ['handoff.ttv_invalid'], []],
    ['TTV before signature', { expectedTimeToValue: '2026-03-09' }, ['handoff.ttv_before_signature'], []],
    ['TTV on signature day', { expectedTimeToValue: '2026-03-10' }, [], []],
  ])('%s', (_label, patch, reasons, warnings) => {
    const r = checkHandoff(makeDeal({ deal: patch }).deal, '2026-03-10T14:00:00Z');
    expect(codes(r.reasons)).toEqual(reasons);
    expect(codes(r.warnings)).toEqual(warnings);
  });

  test('reasons name the field and the Pipedrive field to fill', () => {
    const r = checkHandoff(makeDeal({ deal: { billingOwner: undefined } }).deal);
    expect(r.reasons[0]).toMatchObject({
      field: 'deal.billingOwner',
      suggestion: 'Set the deal\'s "Billing owner" field.',
    });
  });

  test('without a signature time the before-signature check is skipped', () => {
    expect(checkHandoff(makeDeal({ deal: { expectedTimeToValue: '2001-01-01' } }).deal).reasons).toEqual([]);
  });

  test('before-signature reason carries the value and a fix', () => {
    const [reason] = checkHandoff(makeDeal({ deal: { expectedTimeToValue: '2026-03-01' } }).deal, '2026-03-10').reasons;
    expect(reason).toMatchObject({ value: '2026-03-01', suggestion: 'Pick a date on or after 2026-03-10.' });
  });
});

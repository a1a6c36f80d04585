/**
 * `doctor`'s NetSuite checks, read-only: TBA signs and SuiteQL runs, the role reads and may write customers, contacts
 * and invoices, and every subsidiary, term, item, currency, contact role and custom field the mapping template names
 * exists. A value is looked up as the product looks it up (reference-resolution.ts): by name, case- and
 * space-insensitively, or id. How write access is proven without writing: docs/bring-your-own-accounts.md#doctor.
 */
import { randomBytes } from 'node:crypto';
import { ATTRIBUTION_NAMES, isLeadSourceTarget } from '../../domain/lead-source';
import type { Mapping } from '../../domain/mapping/schema';
import type { ReferenceData } from '../../domain/reference-data';
import type { NetSuiteClient } from '../../integrations/netsuite';
import { fail, pass, warn, type DoctorReport } from './doctor-report';
import type { PipedriveFindings } from './doctor-pipedrive';

const same = (a: string, b: string) =>
  a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/** Each named value must be a NetSuite record of the list: the entries that name one, the ones missing. */
function missing(
  wanted: Array<{ value: string; from: string }>,
  list: Array<{ id: string; name: string }>,
): Array<{ value: string; from: string }> {
  return wanted.filter((w) => !list.some((r) => same(r.name, w.value) || r.id === w.value));
}

const LEVELS = ['None', 'View', 'Create', 'Edit', 'Full'];
/**
 * The permission each record the flows write needs (NetSuite's permkey and where the role page lists it), its level
 * (customers and contacts are upserted, PUT …/eid:, and customers edited after onboarding: Edit; invoices are only
 * created: Create), and the probe that shows it without writing: an empty PATCH to an external id no record has (PATCH
 * never creates), or for invoices an empty POST, which lacks the mandatory customer.
 */
const WRITE_PERMISSIONS = [
  { type: 'customer', permkey: 'LIST_CUSTJOB', label: 'Lists > Customers', level: 3, probe: 'PATCH', passed: 404 },
  { type: 'contact', permkey: 'LIST_CONTACT', label: 'Lists > Contacts', level: 3, probe: 'PATCH', passed: 404 },
  { type: 'invoice', permkey: 'TRAN_CUSTINVC', label: 'Transactions > Invoice', level: 2, probe: 'POST', passed: 400 },
] as const;

/**
 * Write access, proven without writing. With the token's role id (NETSUITE_ROLE_ID), the role's own permission list:
 * SuiteQL `rolepermissions` (Oracle's documented use case), each record at its level. Without it, a write that cannot
 * write (NetSuiteClient.probeWrite): 403 INSUFFICIENT_PERMISSION fails; 404 NONEXISTENT_ID (PATCH) or 400 USER_ERROR
 * (POST) passes. That NetSuite refuses by permission before it looks the record up or validates the body is what the
 * simulator does but Oracle does not document, so the pass says which check ran.
 */
async function writeChecks(report: DoctorReport, netsuite: NetSuiteClient, roleId: string | undefined): Promise<void> {
  let levels: Map<string, number> | undefined;
  let listError: string | undefined;
  if (roleId !== undefined && /^\d+$/.test(roleId)) {
    try {
      const rows = await netsuite.suiteqlAll<{ permkey?: string; permlevel?: string }>(
        `SELECT permkey, permlevel FROM rolepermissions WHERE role = ${roleId}`,
      );
      levels = new Map(rows.map((r) => [String(r.permkey), Number(r.permlevel ?? 0)]));
    } catch (err) {
      listError = (err as Error).message.split('\n')[0]!.slice(0, 160);
    }
  } else if (roleId !== undefined) listError = `NETSUITE_ROLE_ID "${roleId.slice(0, 20)}" is not an internal id`;
  const probeId = `doctor-probe-${randomBytes(6).toString('hex')}`;
  for (const p of WRITE_PERMISSIONS) {
    const needed = LEVELS[p.level]!;
    const fix = `Give the integration role the ${p.label} permission at level Full (at least ${needed}): Setup > Users/Roles > Manage Roles.`;
    await report.check(`role writes ${p.type} records`, async () => {
      if (levels) {
        const level = levels.get(p.permkey) ?? 0;
        const what = `${p.label} (${p.permkey}) at ${LEVELS[level] ?? level}`;
        return level >= p.level
          ? pass(`${what} in SuiteQL rolepermissions of role ${roleId}`)
          : fail(
              `role ${roleId} has ${what}; ${p.type === 'invoice' ? 'creating invoices needs' : 'the upserts need'} ${needed}`,
              fix,
            );
      }
      const probe = await netsuite.probeWrite(p.type, probeId, p.probe);
      const answer = `${probe.status}${probe.code ? ` ${probe.code}` : ''}`;
      const how =
        p.probe === 'PATCH'
          ? `empty PATCH to ${p.type}/eid:${probeId}, a record that does not exist (nothing written)`
          : `empty POST to ${p.type}, which lacks its mandatory fields (nothing written)`;
      const note = listError ? ` (role's permission list not read: ${listError})` : '';
      if (probe.status === 403) return fail(`refused by the role: ${answer} to an ${how}${note}`, fix);
      if (probe.status === p.passed)
        return pass(
          `write probe: ${how} answered ${answer}, not refused by permission; set NETSUITE_ROLE_ID to check the role's permission list${note}`,
        );
      return warn(
        `write probe inconclusive: ${answer} to an ${how}${note}`,
        `Set NETSUITE_ROLE_ID to the token's role (Setup > Users/Roles > Manage Roles, Internal ID) so doctor reads its permissions.`,
      );
    });
  }
}

export async function netsuiteChecks(
  report: DoctorReport,
  netsuite: NetSuiteClient,
  mapping: Mapping,
  found: PipedriveFindings | undefined,
  opts: { roleId?: string } = {},
): Promise<void> {
  let ref: ReferenceData | undefined;
  await report.check(
    'TBA signature and SuiteQL',
    async () => {
      ref = await netsuite.loadReferenceData();
      return pass(
        `${ref.subsidiaries.length} subsidiaries, ${ref.terms.length} terms, ${ref.items.length} items, ${ref.currencies?.length ?? 0} currencies readable`,
      );
    },
    'Check NETSUITE_ACCOUNT_ID and the four TBA values (an integration record with Token-Based Authentication, and a token for a role with SuiteAnalytics Workbook / "REST Web Services" and "Log in using Access Tokens").',
  );
  for (const type of ['customer', 'contact', 'invoice']) {
    await report.check(
      `role reads ${type} records`,
      async () => {
        await netsuite.listRecordIds(type, 1);
        return pass('list access');
      },
      `Give the integration role the ${type === 'invoice' ? 'Transactions > Invoice' : `Lists > ${type === 'customer' ? 'Customers' : 'Contacts'}`} permission at level Full.`,
    );
  }
  await writeChecks(report, netsuite, opts.roleId?.trim() || undefined);
  if (!ref) {
    for (const t of ['subsidiaries', 'payment terms', 'items', 'currencies', 'contact role', 'custom fields'])
      report.skip(t, 'reference data not readable');
    return;
  }
  const r = ref;
  const f = mapping.fields;

  await report.check('subsidiaries', async () => {
    const wanted = [
      ...Object.entries(f.subsidiary.values ?? {}).map(([from, value]) => ({
        value,
        from: `fields.subsidiary.values.${from}`,
      })),
      ...(f.subsidiary.default ? [{ value: f.subsidiary.default, from: 'fields.subsidiary.default' }] : []),
      ...(found?.optionTargets.subsidiary ?? []).map((value) => ({
        value,
        from: 'a Pipedrive option of fields.subsidiary.source',
      })),
    ];
    const absent = missing(wanted, r.subsidiaries);
    if (absent.length)
      return fail(
        absent.map((a) => `${a.from}: "${a.value}" is no subsidiary`).join('; '),
        `Use one of ${quoted(r.subsidiaries.map((s) => s.name))} in the mapping template.`,
      );
    if (f.subsidiary.inferFromCountry) {
      const countries = r.subsidiaries.map((s) => s.country);
      const shared = [...new Set(countries.filter((c, i) => countries.indexOf(c) !== i))];
      if (shared.length)
        return warn(
          `${shared.join(', ')}: several subsidiaries per country, so a deal there without a subsidiary goes to review`,
          'Set the subsidiary on such organizations, or map it with fields.subsidiary.values.',
        );
    }
    return pass(`${wanted.length} mapped name(s) found among ${r.subsidiaries.length}`);
  });

  await report.check('payment terms', async () => {
    const wanted = [
      ...Object.entries(f.terms.values ?? {}).map(([from, value]) => ({ value, from: `fields.terms.values.${from}` })),
      ...(f.terms.default ? [{ value: f.terms.default, from: 'fields.terms.default' }] : []),
      ...(found?.optionTargets.terms ?? []).map((value) => ({
        value,
        from: 'a Pipedrive option of fields.terms.source',
      })),
    ];
    const absent = missing(wanted, r.terms);
    if (absent.length)
      return fail(
        absent.map((a) => `${a.from}: "${a.value}" is no payment term`).join('; '),
        `Use one of ${quoted(r.terms.map((t) => t.name))}, or create the term in NetSuite (Setup > Accounting > Accounting Lists).`,
      );
    return pass(`${wanted.length} mapped name(s) found among ${r.terms.length}`);
  });

  await report.check('items of every package', async () => {
    const absent = Object.entries(f.package.packages).flatMap(([code, p]) =>
      p.items
        .filter((i) => !r.items.some((it) => it.itemId === i.item))
        .map((i) => `fields.package.packages.${code}: item "${i.item}"`),
    );
    if (absent.length)
      return fail(
        `${absent.join('; ')} not in NetSuite`,
        `Create the item(s) in NetSuite or use existing item names (${quoted(r.items.map((i) => i.itemId).slice(0, 8))}).`,
      );
    return pass(`${Object.keys(f.package.packages).length} packages, every item found`);
  });

  await report.check('currencies', async () => {
    const list = (r.currencies ?? []).map((c) => ({ id: c.id, name: c.symbol }));
    const wanted = [
      ...Object.entries(f.currency.values ?? {}).map(([from, value]) => ({
        value,
        from: `fields.currency.values.${from}`,
      })),
      ...(f.currency.default ? [{ value: f.currency.default, from: 'fields.currency.default' }] : []),
    ];
    const absent = missing(wanted, list);
    if (absent.length)
      return fail(
        absent.map((a) => `${a.from}: "${a.value}" is no currency`).join('; '),
        `Enable the currency in NetSuite, or map to one of ${quoted(list.map((c) => c.name))}.`,
      );
    return pass(`${list.length} currencies: ${list.map((c) => c.name).join(', ')} (a deal in another goes to review)`);
  });

  await report.check(`contact role "${f.contact.role}"`, async () => {
    const roles = r.contactRoles ?? [];
    if (!roles.some((x) => same(x.name, f.contact.role) || x.id === f.contact.role))
      return fail(
        `no contact role "${f.contact.role}"`,
        `Set fields.contact.role to one of ${quoted(roles.map((x) => x.name))}.`,
      );
    return pass();
  });

  // Attribution bound for NetSuite's standard leadSource: every value it can map to must be an entry of the list.
  const leadSourceEntries = ATTRIBUTION_NAMES.filter((n) => isLeadSourceTarget(f.attribution[n]?.target));
  if (leadSourceEntries.length > 0)
    await report.check('lead sources', async () => {
      if (r.leadSources === undefined)
        return fail(
          `the lead source list is not readable (SuiteQL leadsource), and ${leadSourceEntries.map((n) => `fields.attribution.${n}`).join(', ')} targets leadSource`,
          'Enable the CRM feature and give the role access to Setup > Sales > CRM Lists (Lead Source), or target a custentity_ field instead.',
        );
      const wanted = [
        ...leadSourceEntries.flatMap((n) => {
          const e = f.attribution[n]!;
          return [
            ...Object.entries(e.values ?? {}).map(([from, value]) => ({
              value,
              from: `fields.attribution.${n}.values.${from}`,
            })),
            ...(e.default ? [{ value: e.default, from: `fields.attribution.${n}.default` }] : []),
          ];
        }),
        ...(found?.optionTargets.leadSource ?? []),
      ];
      const absent = missing(wanted, r.leadSources);
      if (absent.length)
        return fail(
          absent.map((a) => `${a.from}: "${a.value}" is no lead source`).join('; '),
          `Map to one of ${quoted(r.leadSources.map((l) => l.name))} in the mapping template, or add the lead source in NetSuite (Setup > Sales > CRM Lists).`,
        );
      return pass(`${wanted.length} mapped name(s) found among ${r.leadSources.length}`);
    });

  await report.check('custom fields', async () => {
    const rows = await netsuite.suiteqlAll<{ scriptid?: string }>(
      "SELECT scriptid FROM customfield WHERE fieldtype = 'ENTITY' AND isinactive = 'F'",
    );
    const have = new Set(rows.map((x) => (x.scriptid ?? '').toLowerCase()));
    const targets: Array<[string, string]> = [['orchestrator (deal id)', 'custentity_pd_deal_id']];
    for (const [name, entry] of Object.entries(f)) {
      if (name === 'attribution') {
        for (const [sub, e] of Object.entries(entry as Mapping['fields']['attribution']))
          if (e?.target && 'custom' in e.target) targets.push([`fields.attribution.${sub}.target`, e.target.custom]);
      } else if ('target' in entry && entry.target && 'custom' in entry.target)
        targets.push([`fields.${name}.target`, entry.target.custom]);
    }
    const absent = targets.filter(([, id]) => !have.has(id.toLowerCase()));
    if (absent.length)
      return fail(
        absent.map(([path, id]) => `${path}: ${id}`).join('; ') + ' not defined',
        'Create each as a Customer entity field (Customization > Lists, Records, & Fields > Entity Fields, "Applies to: Customer", Free-Form Text), or fix the template target.',
      );
    return pass(`${targets.length} custentity fields defined`);
  });
}

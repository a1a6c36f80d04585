/**
 * A complete "signed-ready" customer for demos and end-to-end tests: organization with tax id, subsidiary, terms and
 * address; contact person; deal with every custom field a salesperson fills. The fields the orchestrator owns
 * (External ID, Onboarding status, Needs remediation) stay empty. `omit` leaves named fields out to provoke review.
 */
import type { Actor } from './change-event';
import { sandboxCompany } from './companies';
import { isoDate } from './clock';
import { COUNTRY_PROFILES, isCountryCode, profileAddress, type CountryCode } from './country-profiles';
import { resolveFriendlyCustomFields } from './custom-field-values';
import { badRequest } from './envelope';
import type { EntityOperations } from './entity-operations';
import { keyOf, optionId } from './field-lookup';
import { ONBOARDING_PACKAGES } from './field-definitions';
import type { Deal, Organization, Person, SimulatorState } from './model';
import { BILLING_USER_ID, CSM_USER_ID, organizationValues } from './seed';

export const OMITTABLE = [
  'tax_id',
  'subsidiary',
  'payment_terms',
  'address',
  'email',
  'phone',
  'billing_owner',
  'csm',
  'package',
  'invoice_date',
  'time_to_value',
  'value',
  'attribution',
] as const;
type Omittable = (typeof OMITTABLE)[number];

const COMPANY_NAMES: Record<CountryCode, string> = {
  US: 'Globex Corporation',
  GB: 'Hooli Europe Ltd',
  DE: 'Initech Deutschland GmbH',
  NL: 'Vandelay Industries B.V.',
  CA: 'Wayne Analytics Inc.',
  AU: 'Stark Digital Pty Ltd',
};

export interface SyntheticDeal {
  deal: Deal;
  person: Person;
  organization: Organization;
}

export function createSyntheticDeal(
  state: SimulatorState,
  ops: EntityOperations,
  body: Record<string, unknown>,
  actor: Actor,
): SyntheticDeal {
  const country = body.country ?? 'US';
  if (!isCountryCode(country)) throw badRequest(`country must be one of ${Object.keys(COUNTRY_PROFILES).join(', ')}`);
  const omit = new Set<Omittable>();
  for (const item of Array.isArray(body.omit) ? body.omit : []) {
    if (!OMITTABLE.includes(item as Omittable)) throw badRequest(`omit entries must be among ${OMITTABLE.join(', ')}`);
    omit.add(item as Omittable);
  }
  const profile = COUNTRY_PROFILES[country];
  const n = state.nextIds.deal;
  const orgName = typeof body.org_name === 'string' ? body.org_name : `${COMPANY_NAMES[country]} ${n}`;
  const company = sandboxCompany(state.company.profile ?? 'acme');
  const names = company.names;
  // Default: the stage just before the company's signing stage ("Contract Signed" names that stage in any company).
  const signedIndex = company.stages.indexOf(company.signedStage);
  const stageName =
    body.stage_name === 'Contract Signed'
      ? company.signedStage
      : typeof body.stage_name === 'string'
        ? body.stage_name
        : company.stages[Math.max(0, signedIndex - 1)];
  const stage = state.stages.find((s) => s.name === stageName);
  if (!stage) throw badRequest(`no stage named ${stageName}`);
  const pkg = typeof body.package === 'string' ? body.package : 'GROWTH';
  if (!(ONBOARDING_PACKAGES as readonly string[]).includes(pkg))
    throw badRequest(`package must be one of ${ONBOARDING_PACKAGES.join(', ')}`);

  const of = state.organizationFields;
  const organization = ops.createOrganization(
    {
      name: orgName,
      owner_id: actor.userId,
      ...(omit.has('address') ? {} : { address: profileAddress(profile, company.freeTextAddresses) }),
      custom_fields: organizationValues(of, company, country, omit),
    },
    actor,
  );
  const personName = typeof body.person_name === 'string' ? body.person_name : `Alex Example ${n}`;
  const slug =
    orgName
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'customer';
  const emails = Array.isArray(body.emails)
    ? (body.emails as unknown[]).map(String)
    : [`alex.example${n}@${slug}.example`];
  const person = ops.createPerson(
    {
      name: personName,
      org_id: organization.id,
      owner_id: actor.userId,
      emails: omit.has('email')
        ? []
        : emails.map((value, i) => ({ value, primary: i === 0, label: i === 0 ? 'work' : 'other' })),
      phones: omit.has('phone') ? [] : [{ value: profile.phone, primary: true, label: 'work' }],
    },
    actor,
  );
  const df = state.dealFields;
  const dealCustom: Record<string, unknown> = {
    ...(omit.has('package')
      ? {}
      : { [keyOf(df, names.package)]: optionId(df, names.package, company.packageLabel(pkg)) }),
    ...(omit.has('billing_owner')
      ? {}
      : {
          [keyOf(df, names.billingOwner)]:
            typeof body.billing_owner === 'string'
              ? body.billing_owner
              : state.users.find((u) => u.id === BILLING_USER_ID)?.name,
        }),
    ...(omit.has('csm')
      ? {}
      : {
          [keyOf(df, names.csm)]:
            company.csmAs === 'user' ? CSM_USER_ID : state.users.find((u) => u.id === CSM_USER_ID)?.name,
        }),
    ...(omit.has('time_to_value') ? {} : { [keyOf(df, names.timeToValue)]: isoDate(45) }),
    ...(omit.has('invoice_date')
      ? {}
      : { [keyOf(df, names.invoiceDate)]: typeof body.invoice_date === 'string' ? body.invoice_date : isoDate(14) }),
    // Where the deal came from, as marketing fills it (only the fields the company has).
    ...(omit.has('attribution') || !names.campaign ? {} : { [keyOf(df, names.campaign)]: 'Spring launch' }),
    ...(omit.has('attribution') || !names.leadSource || !company.leadSourceOption
      ? {}
      : { [keyOf(df, names.leadSource)]: optionId(df, names.leadSource, company.leadSourceOption) }),
    ...(omit.has('attribution') || !names.channel ? {} : { [keyOf(df, names.channel)]: 'Paid search' }),
    ...resolveFriendlyCustomFields(df, state.users, body.custom_fields),
  };
  const deal = ops.createDeal(
    {
      title: typeof body.title === 'string' ? body.title : `${orgName} – ${pkg.toLowerCase()} onboarding`,
      value: omit.has('value') ? 0 : typeof body.value === 'number' ? body.value : 24_000,
      currency: typeof body.currency === 'string' ? body.currency : profile.currency,
      owner_id: actor.userId,
      person_id: person.id,
      org_id: organization.id,
      stage_id: stage.id,
      expected_close_date: isoDate(7),
      custom_fields: dealCustom,
    },
    actor,
  );
  return { deal, person, organization };
}

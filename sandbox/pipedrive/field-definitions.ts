/**
 * The seeded company's deal, person and organization fields. Custom field keys are 40-char hex hashes like the real
 * ones, derived from the company domain so they are stable across restarts but differ between companies — the product
 * must resolve them by name, never hard-code them.
 */
import { createHash } from 'node:crypto';
import { DEAL_FIELDS, ORGANIZATION_FIELDS } from '../../domain/pipedrive-fields';
import type { FieldDefinition, FieldOption } from './model';

export const ONBOARDING_PACKAGES = ['STARTER', 'GROWTH', 'ENTERPRISE'] as const;
export const LEAD_SOURCES = ['Web form', 'Referral', 'Event', 'Outbound'] as const;

export function customFieldKey(companyDomain: string, entity: string, name: string): string {
  return createHash('sha1').update(`${companyDomain}/${entity}/${name}`).digest('hex');
}

function options(firstId: number, labels: readonly string[]): FieldOption[] {
  return labels.map((label, i) => ({ id: firstId + i, label }));
}

export function dealFieldDefinitions(companyDomain: string): FieldDefinition[] {
  const standard: Array<[string, string, string]> = [
    ['title', 'Title', 'varchar'],
    ['value', 'Value', 'monetary'],
    ['currency', 'Currency', 'varchar_options'],
    ['person_id', 'Contact person', 'people'],
    ['org_id', 'Organization', 'org'],
    ['pipeline_id', 'Pipeline', 'double'],
    ['stage_id', 'Stage', 'stage'],
    ['status', 'Status', 'status'],
    ['owner_id', 'Owner', 'user'],
    ['expected_close_date', 'Expected close date', 'date'],
    ['add_time', 'Deal created', 'date'],
    ['update_time', 'Update time', 'date'],
    ['stage_change_time', 'Last stage change', 'date'],
    ['won_time', 'Won time', 'date'],
    ['visible_to', 'Visible to', 'visible_to'],
  ];
  const custom: Array<[string, string, FieldOption[]?]> = [
    [DEAL_FIELDS.externalId, 'varchar'],
    [DEAL_FIELDS.onboardingPackage, 'enum', options(101, ONBOARDING_PACKAGES)],
    [DEAL_FIELDS.billingOwner, 'varchar'],
    [DEAL_FIELDS.csm, 'user'],
    [DEAL_FIELDS.expectedTimeToValue, 'date'],
    [DEAL_FIELDS.invoiceDate, 'date'],
    [DEAL_FIELDS.onboardingStatus, 'varchar'],
    [DEAL_FIELDS.needsRemediation, 'enum', options(201, ['Yes', 'No'])],
    // Attribution (mapping/default.yaml fields.attribution): the company's own marketing fields.
    ['Campaign', 'varchar'],
    ['Lead source', 'enum', options(301, LEAD_SOURCES)],
    ['Channel', 'varchar'],
  ];
  return build('deal', companyDomain, standard, custom, 12000);
}

export function organizationFieldDefinitions(companyDomain: string): FieldDefinition[] {
  return build(
    'organization',
    companyDomain,
    [
      ['name', 'Name', 'varchar'],
      ['owner_id', 'Owner', 'user'],
      ['address', 'Address', 'address'],
      ['add_time', 'Organization created', 'date'],
      ['update_time', 'Update time', 'date'],
      ['visible_to', 'Visible to', 'visible_to'],
    ],
    [
      [ORGANIZATION_FIELDS.taxId, 'varchar'],
      [ORGANIZATION_FIELDS.subsidiary, 'varchar'],
      [ORGANIZATION_FIELDS.paymentTerms, 'varchar'],
    ],
    4000,
  );
}

export function personFieldDefinitions(companyDomain: string): FieldDefinition[] {
  return build(
    'person',
    companyDomain,
    [
      ['name', 'Name', 'varchar'],
      ['first_name', 'First name', 'varchar'],
      ['last_name', 'Last name', 'varchar'],
      ['org_id', 'Organization', 'org'],
      ['owner_id', 'Owner', 'user'],
      ['emails', 'Email', 'varchar'],
      ['phones', 'Phone', 'phone'],
      ['add_time', 'Person created', 'date'],
      ['update_time', 'Update time', 'date'],
      ['visible_to', 'Visible to', 'visible_to'],
    ],
    [],
    9000,
  );
}

function build(
  entity: string,
  companyDomain: string,
  standard: Array<[string, string, string]>,
  custom: Array<[string, string, FieldOption[]?]>,
  firstId: number,
): FieldDefinition[] {
  const fields: FieldDefinition[] = standard.map(([key, name, field_type], i) => ({ id: firstId + i, key, name, field_type, is_custom: false }));
  custom.forEach(([name, field_type, opts], i) => {
    fields.push({
      id: firstId + standard.length + i,
      key: customFieldKey(companyDomain, entity, name),
      name,
      field_type,
      is_custom: true,
      ...(opts ? { options: opts } : {}),
    });
  });
  return fields;
}

/**
 * The seeded company's deal, person and organization fields (its own names and types: companies.ts). Custom field keys
 * are 40-char hex hashes like the real ones, derived from the company domain so they are stable across restarts but
 * differ between companies — the product must resolve them through its mapping template, never hard-code them.
 */
import { createHash } from 'node:crypto';
import { ACME, options, type SandboxCompany } from './companies';
import type { FieldDefinition, FieldOption } from './model';

/** Package codes a synthetic deal request names (each company shows them under its own labels). */
export const ONBOARDING_PACKAGES = ['STARTER', 'GROWTH', 'ENTERPRISE'] as const;

export function customFieldKey(companyDomain: string, entity: string, name: string): string {
  return createHash('sha1').update(`${companyDomain}/${entity}/${name}`).digest('hex');
}

/** Custom fields with their options; the n-th option list starts at id 101 + 100·n (stable across restarts). */
function customFields(
  fields: SandboxCompany['dealCustom'],
  firstOptionBase: number,
): Array<[string, string, FieldOption[]?]> {
  let lists = 0;
  return fields.map(([name, type, labels]) =>
    labels ? [name, type, options(firstOptionBase + 100 * lists++, labels)] : [name, type],
  );
}

export function dealFieldDefinitions(companyDomain: string, company: SandboxCompany = ACME): FieldDefinition[] {
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
  return build('deal', companyDomain, standard, customFields(company.dealCustom, 101), 12000);
}

export function organizationFieldDefinitions(companyDomain: string, company: SandboxCompany = ACME): FieldDefinition[] {
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
    customFields(company.organizationCustom, 501),
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
  const fields: FieldDefinition[] = standard.map(([key, name, field_type], i) => ({
    id: firstId + i,
    key,
    name,
    field_type,
    is_custom: false,
  }));
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

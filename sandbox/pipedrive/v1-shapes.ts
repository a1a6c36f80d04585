/**
 * v1 views of the stored (v2-shaped) records and v1 request bodies translated to the v2 form. v1 flattens custom
 * fields to top-level hash keys (enum values as option-id strings, user fields as user objects), expands owner,
 * person and organization references into objects, uses `user_id` for a deal's owner and `YYYY-MM-DD HH:MM:SS` times.
 * This is close to, not byte-for-byte, the real v1 output (see README).
 */
import { toV1Time } from './clock';
import type {
  CustomFields,
  Deal,
  FieldDefinition,
  Note,
  Organization,
  Person,
  SimulatorState,
  User,
  Webhook,
} from './model';

export function v1User(state: SimulatorState, id: number | null): Record<string, unknown> | null {
  const user = state.users.find((u) => u.id === id);
  return user
    ? { id: user.id, name: user.name, email: user.email, has_pic: 0, pic_hash: null, active_flag: true, value: user.id }
    : null;
}

function flatCustomFields(
  state: SimulatorState,
  fields: FieldDefinition[],
  values: CustomFields,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields.filter((f) => f.is_custom)) {
    const value = values[field.key] ?? null;
    if (value === null) out[field.key] = null;
    else if (field.field_type === 'enum') out[field.key] = String(value);
    else if (field.field_type === 'user') out[field.key] = v1User(state, Number(value));
    else out[field.key] = value;
  }
  return out;
}

function personRef(state: SimulatorState, id: number | null): Record<string, unknown> | null {
  const p = state.persons.find((x) => x.id === id);
  return p
    ? { active_flag: !p.is_deleted, name: p.name, email: p.emails, phone: p.phones, owner_id: p.owner_id, value: p.id }
    : null;
}

function orgRef(state: SimulatorState, id: number | null): Record<string, unknown> | null {
  const o = state.organizations.find((x) => x.id === id);
  if (!o) return null;
  const people = state.persons.filter((p) => p.org_id === o.id && !p.is_deleted).length;
  return {
    name: o.name,
    people_count: people,
    owner_id: o.owner_id,
    address: o.address?.value ?? null,
    active_flag: !o.is_deleted,
    cc_email: null,
    value: o.id,
  };
}

export function v1Deal(state: SimulatorState, d: Deal): Record<string, unknown> {
  const person = state.persons.find((p) => p.id === d.person_id);
  const org = state.organizations.find((o) => o.id === d.org_id);
  return {
    id: d.id,
    creator_user_id: v1User(state, d.creator_user_id),
    user_id: v1User(state, d.owner_id),
    person_id: personRef(state, d.person_id),
    org_id: orgRef(state, d.org_id),
    stage_id: d.stage_id,
    title: d.title,
    value: d.value,
    currency: d.currency,
    add_time: toV1Time(d.add_time),
    update_time: toV1Time(d.update_time),
    stage_change_time: toV1Time(d.stage_change_time),
    active: d.status === 'open',
    deleted: d.is_deleted,
    status: d.status,
    probability: null,
    lost_reason: null,
    visible_to: String(d.visible_to),
    close_time: toV1Time(d.close_time),
    pipeline_id: d.pipeline_id,
    won_time: toV1Time(d.won_time),
    lost_time: toV1Time(d.lost_time),
    expected_close_date: d.expected_close_date,
    label: d.label_ids.length > 0 ? d.label_ids.join(',') : null,
    person_name: person?.name ?? null,
    org_name: org?.name ?? null,
    owner_name: state.users.find((u) => u.id === d.owner_id)?.name ?? null,
    cc_email: `${state.company.domain}+deal${d.id}@pipedrivemail.com`,
    formatted_value: `${d.value} ${d.currency}`,
    ...flatCustomFields(state, state.dealFields, d.custom_fields),
  };
}

export function v1Person(state: SimulatorState, p: Person): Record<string, unknown> {
  return {
    id: p.id,
    company_id: state.company.id,
    owner_id: v1User(state, p.owner_id),
    org_id: orgRef(state, p.org_id),
    name: p.name,
    first_name: p.first_name,
    last_name: p.last_name,
    phone: p.phones,
    email: p.emails,
    primary_email: p.emails.find((e) => e.primary)?.value ?? null,
    add_time: toV1Time(p.add_time),
    update_time: toV1Time(p.update_time),
    visible_to: String(p.visible_to),
    active_flag: !p.is_deleted,
    label: p.label_ids[0] ?? null,
    org_name: state.organizations.find((o) => o.id === p.org_id)?.name ?? null,
    owner_name: state.users.find((u) => u.id === p.owner_id)?.name ?? null,
    ...flatCustomFields(state, state.personFields, p.custom_fields),
  };
}

export function v1Organization(state: SimulatorState, o: Organization): Record<string, unknown> {
  const a = o.address;
  return {
    id: o.id,
    company_id: state.company.id,
    owner_id: v1User(state, o.owner_id),
    name: o.name,
    people_count: state.persons.filter((p) => p.org_id === o.id && !p.is_deleted).length,
    open_deals_count: state.deals.filter((d) => d.org_id === o.id && !d.is_deleted && d.status === 'open').length,
    add_time: toV1Time(o.add_time),
    update_time: toV1Time(o.update_time),
    visible_to: String(o.visible_to),
    active_flag: !o.is_deleted,
    address: a?.value ?? null,
    address_street_number: a?.street_number ?? null,
    address_route: a?.route ?? null,
    address_sublocality: a?.sublocality ?? null,
    address_locality: a?.locality ?? null,
    address_admin_area_level_1: a?.admin_area_level_1 ?? null,
    address_admin_area_level_2: a?.admin_area_level_2 ?? null,
    address_country: a?.country ?? null,
    address_postal_code: a?.postal_code ?? null,
    address_formatted_address: a?.formatted_address ?? null,
    owner_name: state.users.find((u) => u.id === o.owner_id)?.name ?? null,
    cc_email: null,
    ...flatCustomFields(state, state.organizationFields, o.custom_fields),
  };
}

export function v1Note(state: SimulatorState, n: Note): Record<string, unknown> {
  const user = state.users.find((u) => u.id === n.user_id);
  const deal = state.deals.find((d) => d.id === n.deal_id);
  const person = state.persons.find((p) => p.id === n.person_id);
  const org = state.organizations.find((o) => o.id === n.org_id);
  return {
    id: n.id,
    user_id: n.user_id,
    deal_id: n.deal_id,
    person_id: n.person_id,
    org_id: n.org_id,
    lead_id: null,
    content: n.content,
    add_time: toV1Time(n.add_time),
    update_time: toV1Time(n.update_time),
    active_flag: true,
    pinned_to_deal_flag: n.pinned_to_deal_flag,
    pinned_to_person_flag: false,
    pinned_to_organization_flag: false,
    last_update_user_id: n.user_id,
    organization: org ? { name: org.name } : null,
    person: person ? { name: person.name } : null,
    deal: deal ? { title: deal.title } : null,
    user: user ? { email: user.email, name: user.name, icon_url: null, is_you: false } : null,
  };
}

export function v1UserFull(state: SimulatorState, u: User, callerId: number): Record<string, unknown> {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    default_currency: 'USD',
    locale: 'en_US',
    lang: 1,
    phone: null,
    activated: true,
    last_login: null,
    created: '2024-01-02 09:00:00',
    modified: '2024-01-02 09:00:00',
    has_created_company: u.id === 1,
    access: [{ app: 'sales', admin: u.is_admin, permission_set_id: 'sales-default' }],
    active_flag: true,
    timezone_name: 'Europe/London',
    timezone_offset: '+00:00',
    role_id: 1,
    icon_url: null,
    is_you: u.id === callerId,
    is_deleted: false,
  };
}

export function v1Field(
  field: FieldDefinition,
  order: number,
  entity: 'deal' | 'person' | 'organization',
): Record<string, unknown> {
  // v1 names a deal's owner `user_id`; v2 renamed it `owner_id`.
  const key = entity === 'deal' && field.key === 'owner_id' ? 'user_id' : field.key;
  return {
    id: field.id,
    key,
    name: field.name,
    order_nr: order,
    field_type: field.field_type,
    add_time: '2024-01-02 09:00:00',
    update_time: '2024-01-02 09:00:00',
    last_updated_by_user_id: 1,
    created_by_user_id: 1,
    active_flag: true,
    edit_flag: field.is_custom,
    index_visible_flag: true,
    details_visible_flag: true,
    add_visible_flag: true,
    important_flag: false,
    bulk_edit_allowed: true,
    searchable_flag: field.field_type === 'varchar',
    filtering_allowed: true,
    sortable_flag: true,
    mandatory_flag: field.key === 'title' || field.key === 'name',
    ...(field.options ? { options: field.options } : {}),
  };
}

export function v1Webhook(state: SimulatorState, w: Webhook): Record<string, unknown> {
  return {
    id: w.id,
    company_id: state.company.id,
    owner_id: w.owner_id,
    user_id: w.user_id,
    event_action: w.event_action,
    event_object: w.event_object,
    subscription_url: w.subscription_url,
    version: w.version,
    is_active: 1,
    add_time: w.add_time,
    remove_time: null,
    type: 'general',
    http_auth_user: w.http_auth_user,
    http_auth_password: w.http_auth_password,
    additional_data: {},
    remove_reason: null,
    last_delivery_time: w.last_delivery_time,
    last_http_status: w.last_http_status,
    admin_id: w.owner_id,
    name: w.name,
  };
}

/** v1 body → v2 body: hash-keyed top-level values move into custom_fields; v1 spellings become v2 ones. */
export function v1BodyToV2(
  body: Record<string, unknown>,
  fields: FieldDefinition[],
  entity: 'deal' | 'person' | 'organization',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = fields.find((f) => f.is_custom && f.key === key);
    if (field) {
      custom[key] =
        (field.field_type === 'enum' || field.field_type === 'user') && typeof value === 'string' && value !== ''
          ? Number(value)
          : value === ''
            ? null
            : value;
    } else if (entity === 'deal' && key === 'user_id') out.owner_id = value;
    else if (entity === 'person' && key === 'email') out.emails = Array.isArray(value) ? value : [value];
    else if (entity === 'person' && key === 'phone') out.phones = Array.isArray(value) ? value : [value];
    else if (key === 'visible_to' && typeof value === 'string') out.visible_to = Number(value);
    else if (key === 'value' && typeof value === 'string') out.value = Number(value);
    else out[key] = value;
  }
  if (Object.keys(custom).length > 0) out.custom_fields = custom;
  return out;
}

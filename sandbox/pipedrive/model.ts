/**
 * The simulator's stored records. Deals, persons and organizations are kept in their API v2 shape so v2 responses and
 * webhook `data` are plain copies; v1 responses are derived from them (see v1-shapes.ts).
 */
export type CustomFieldValue = string | number | null;
export type CustomFields = Record<string, CustomFieldValue>;
export type ChangeSource = 'api' | 'app';
export type EntityName = 'deal' | 'person' | 'organization';

export interface User {
  id: number;
  name: string;
  email: string;
  role: string;
  is_admin: boolean;
}

export interface Pipeline {
  id: number;
  name: string;
  order_nr: number;
  add_time: string;
  update_time: string;
}

export interface Stage {
  id: number;
  name: string;
  pipeline_id: number;
  order_nr: number;
  deal_probability: number;
  add_time: string;
  update_time: string;
}

export interface FieldOption {
  id: number;
  label: string;
}

export interface FieldDefinition {
  id: number;
  /** v1 `key` / v2 `field_code`: a 40-char hex hash for custom fields, the attribute name for standard ones. */
  key: string;
  name: string;
  field_type: string;
  is_custom: boolean;
  options?: FieldOption[];
}

export interface Address {
  value: string;
  street_number: string | null;
  route: string | null;
  sublocality: string | null;
  locality: string | null;
  admin_area_level_1: string | null;
  admin_area_level_2: string | null;
  country: string | null;
  postal_code: string | null;
  formatted_address: string | null;
}

export interface ContactPoint {
  value: string;
  primary: boolean;
  label: string;
}

export interface Organization {
  id: number;
  name: string;
  owner_id: number;
  address: Address | null;
  visible_to: number;
  label_ids: number[];
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  custom_fields: CustomFields;
}

export interface Person {
  id: number;
  name: string;
  first_name: string | null;
  last_name: string | null;
  org_id: number | null;
  owner_id: number;
  emails: ContactPoint[];
  phones: ContactPoint[];
  visible_to: number;
  label_ids: number[];
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  custom_fields: CustomFields;
}

export type DealStatus = 'open' | 'won' | 'lost';

export interface Deal {
  id: number;
  title: string;
  value: number;
  currency: string;
  creator_user_id: number;
  owner_id: number;
  person_id: number | null;
  org_id: number | null;
  stage_id: number;
  pipeline_id: number;
  status: DealStatus;
  add_time: string;
  update_time: string;
  stage_change_time: string | null;
  won_time: string | null;
  lost_time: string | null;
  close_time: string | null;
  expected_close_date: string | null;
  visible_to: number;
  label_ids: number[];
  is_deleted: boolean;
  custom_fields: CustomFields;
}

export interface Note {
  id: number;
  content: string;
  deal_id: number | null;
  person_id: number | null;
  org_id: number | null;
  user_id: number;
  pinned_to_deal_flag: boolean;
  add_time: string;
  update_time: string;
}

export interface Webhook {
  id: number;
  name: string;
  subscription_url: string;
  event_action: string;
  event_object: string;
  version: string;
  http_auth_user: string | null;
  http_auth_password: string | null;
  user_id: number;
  owner_id: number;
  add_time: string;
  /** First-try failures since the last ban (the real ban counter). */
  first_try_failures: number;
  banned_until: string | null;
  last_delivery_time: string | null;
  last_http_status: number | null;
}

export interface Company {
  id: number;
  name: string;
  domain: string;
  /** Which sandbox company's fields and stages were seeded (companies.ts); absent in state saved before there were two. */
  profile?: 'acme' | 'globex';
}

export interface SimulatorState {
  /** The seed's format; a file written by another format is put aside, not served (see state-store.ts). */
  stateVersion?: number;
  company: Company;
  users: User[];
  /** api token → user id. */
  tokens: Record<string, number>;
  pipelines: Pipeline[];
  stages: Stage[];
  dealFields: FieldDefinition[];
  personFields: FieldDefinition[];
  organizationFields: FieldDefinition[];
  organizations: Organization[];
  persons: Person[];
  deals: Deal[];
  notes: Note[];
  webhooks: Webhook[];
  /** The Basic-auth pair the stack hands the app for its webhook; kept so a restart does not invalidate it. */
  webhookCredentials?: { user: string; password: string };
  nextIds: { organization: number; person: number; deal: number; note: number; webhook: number };
}

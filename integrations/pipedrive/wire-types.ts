/** The parts of Pipedrive's v1/v2 JSON the client reads (reference/external-apis.md §2); everything else is ignored. */

export interface Envelope<T> {
  success: boolean;
  data: T;
  additional_data?: {
    next_cursor?: string | null;
    pagination?: { more_items_in_collection?: boolean; next_start?: number };
  } | null;
}

export type CustomFieldsWire = Record<string, unknown>;

export interface V2Deal {
  id: number;
  title: string;
  value: number | null;
  currency: string | null;
  owner_id: number | null;
  person_id: number | null;
  org_id: number | null;
  stage_id: number;
  status?: string | null;
  stage_change_time?: string | null;
  custom_fields?: CustomFieldsWire | null;
}

export interface V2ContactPoint {
  value: string;
  primary?: boolean;
  label?: string | null;
}

export interface V2Person {
  id: number;
  name: string;
  emails?: V2ContactPoint[] | null;
  phones?: V2ContactPoint[] | null;
}

export interface V2Address {
  value?: string | null;
  street_number?: string | null;
  route?: string | null;
  subpremise?: string | null;
  sublocality?: string | null;
  locality?: string | null;
  admin_area_level_1?: string | null;
  admin_area_level_2?: string | null;
  country?: string | null;
  postal_code?: string | null;
  formatted_address?: string | null;
}

export interface V2Organization {
  id: number;
  name: string;
  address?: V2Address | null;
  custom_fields?: CustomFieldsWire | null;
}

export interface V2Stage {
  id: number;
  name: string;
  pipeline_id: number;
  is_deleted?: boolean;
}

export interface V1Field {
  key: string;
  name: string;
  field_type: string;
  edit_flag?: boolean;
  options?: Array<{ id: number | string; label: string }> | null;
}

export interface V1Webhook {
  id: number;
  subscription_url: string;
  event_action: string;
  event_object: string;
  version?: string | null;
  http_auth_user?: string | null;
  http_auth_password?: string | null;
}

/**
 * Every write to deals, persons and organizations — from v1, v2 or the admin routes — goes through here, so
 * validation, side fields (stage_change_time, won_time, names) and webhook events are the same whichever door was used.
 * Inputs are in the v2 body form; v1 routes translate first.
 */
import type { Actor, ChangeEvent } from './change-event';
import { changedFields } from './change-event';
import { nowIso } from './clock';
import { validateCustomFields } from './custom-field-values';
import { badRequest, notFound } from './envelope';
import type { Address, ContactPoint, Deal, DealStatus, EntityName, Organization, Person } from './model';
import { SALES_PIPELINE_ID } from './seed';
import type { StateStore } from './state-store';

type Input = Record<string, unknown>;
type Publish = (event: ChangeEvent) => void;

export class EntityOperations {
  constructor(
    private readonly store: StateStore,
    private readonly publish: Publish,
  ) {}

  private get s() {
    return this.store.state;
  }

  deal(id: number): Deal {
    const deal = this.s.deals.find((d) => d.id === id && !d.is_deleted);
    if (!deal) throw notFound('Deal');
    return deal;
  }

  person(id: number): Person {
    const person = this.s.persons.find((p) => p.id === id && !p.is_deleted);
    if (!person) throw notFound('Person');
    return person;
  }

  organization(id: number): Organization {
    const org = this.s.organizations.find((o) => o.id === id && !o.is_deleted);
    if (!org) throw notFound('Organization');
    return org;
  }

  createDeal(input: Input, actor: Actor): Deal {
    if (typeof input.title !== 'string' || input.title.trim() === '') throw badRequest('Deal title is required');
    const t = nowIso();
    const firstStage = this.s.stages
      .filter((st) => st.pipeline_id === SALES_PIPELINE_ID)
      .sort((a, b) => a.order_nr - b.order_nr)[0];
    const draft: Deal = {
      id: 0,
      title: input.title,
      value: 0,
      currency: 'USD',
      creator_user_id: actor.userId,
      owner_id: actor.userId,
      person_id: null,
      org_id: null,
      stage_id: firstStage?.id ?? 1,
      pipeline_id: SALES_PIPELINE_ID,
      status: 'open',
      add_time: t,
      update_time: t,
      stage_change_time: null,
      won_time: null,
      lost_time: null,
      close_time: null,
      expected_close_date: null,
      visible_to: 3,
      label_ids: [],
      is_deleted: false,
      custom_fields: {},
    };
    const deal = this.applyDeal(draft, input, t);
    deal.id = this.s.nextIds.deal++;
    this.s.deals.push(deal);
    this.commit('create', 'deal', deal.id, deal, null, actor);
    return deal;
  }

  updateDeal(id: number, input: Input, actor: Actor): Deal {
    const before = this.deal(id);
    const after = this.applyDeal(structuredClone(before), input, nowIso());
    return this.replace(this.s.deals, before, after, 'deal', actor);
  }

  deleteDeal(id: number, actor: Actor): void {
    this.remove(this.deal(id), 'deal', actor);
  }

  createPerson(input: Input, actor: Actor): Person {
    if (typeof input.name !== 'string' && typeof input.first_name !== 'string')
      throw badRequest('Person name is required');
    const t = nowIso();
    const draft: Person = {
      id: 0,
      name: '',
      first_name: null,
      last_name: null,
      org_id: null,
      owner_id: actor.userId,
      emails: [],
      phones: [],
      visible_to: 3,
      label_ids: [],
      add_time: t,
      update_time: t,
      is_deleted: false,
      custom_fields: {},
    };
    const person = this.applyPerson(draft, input, t);
    person.id = this.s.nextIds.person++;
    this.s.persons.push(person);
    this.commit('create', 'person', person.id, person, null, actor);
    return person;
  }

  updatePerson(id: number, input: Input, actor: Actor): Person {
    const before = this.person(id);
    return this.replace(
      this.s.persons,
      before,
      this.applyPerson(structuredClone(before), input, nowIso()),
      'person',
      actor,
    );
  }

  deletePerson(id: number, actor: Actor): void {
    this.remove(this.person(id), 'person', actor);
  }

  createOrganization(input: Input, actor: Actor): Organization {
    if (typeof input.name !== 'string' || input.name.trim() === '') throw badRequest('Organization name is required');
    const t = nowIso();
    const draft: Organization = {
      id: 0,
      name: input.name,
      owner_id: actor.userId,
      address: null,
      visible_to: 3,
      label_ids: [],
      add_time: t,
      update_time: t,
      is_deleted: false,
      custom_fields: {},
    };
    const org = this.applyOrganization(draft, input, t);
    org.id = this.s.nextIds.organization++;
    this.s.organizations.push(org);
    this.commit('create', 'organization', org.id, org, null, actor);
    return org;
  }

  updateOrganization(id: number, input: Input, actor: Actor): Organization {
    const before = this.organization(id);
    return this.replace(
      this.s.organizations,
      before,
      this.applyOrganization(structuredClone(before), input, nowIso()),
      'organization',
      actor,
    );
  }

  deleteOrganization(id: number, actor: Actor): void {
    this.remove(this.organization(id), 'organization', actor);
  }

  private applyDeal(deal: Deal, input: Input, t: string): Deal {
    if (input.title !== undefined) deal.title = requireString(input.title, 'title');
    if (input.value !== undefined) deal.value = requireNumber(input.value, 'value');
    if (input.currency !== undefined) deal.currency = requireString(input.currency, 'currency');
    if (input.owner_id !== undefined) deal.owner_id = this.userId(input.owner_id);
    if (input.person_id !== undefined)
      deal.person_id = input.person_id === null ? null : this.person(requireNumber(input.person_id, 'person_id')).id;
    if (input.org_id !== undefined)
      deal.org_id = input.org_id === null ? null : this.organization(requireNumber(input.org_id, 'org_id')).id;
    if (input.pipeline_id !== undefined && input.stage_id === undefined) {
      const pipelineId = requireNumber(input.pipeline_id, 'pipeline_id');
      const first = this.s.stages
        .filter((st) => st.pipeline_id === pipelineId)
        .sort((a, b) => a.order_nr - b.order_nr)[0];
      if (!first) throw badRequest('Pipeline not found');
      if (deal.pipeline_id !== pipelineId) input = { ...input, stage_id: first.id };
    }
    if (input.stage_id !== undefined) {
      const stage = this.s.stages.find((st) => st.id === input.stage_id);
      if (!stage) throw badRequest('Stage not found');
      if (stage.id !== deal.stage_id) deal.stage_change_time = t;
      deal.stage_id = stage.id;
      deal.pipeline_id = stage.pipeline_id;
    }
    if (input.status !== undefined) {
      if (input.status !== 'open' && input.status !== 'won' && input.status !== 'lost')
        throw badRequest('status must be open, won or lost');
      const status: DealStatus = input.status;
      if (status !== deal.status) {
        deal.won_time = status === 'won' ? t : null;
        deal.lost_time = status === 'lost' ? t : null;
        deal.close_time = status === 'open' ? null : t;
      }
      deal.status = status;
    }
    if (input.expected_close_date !== undefined)
      deal.expected_close_date =
        input.expected_close_date === null ? null : requireString(input.expected_close_date, 'expected_close_date');
    if (input.visible_to !== undefined) deal.visible_to = requireNumber(input.visible_to, 'visible_to');
    if (input.label_ids !== undefined) deal.label_ids = requireNumberArray(input.label_ids, 'label_ids');
    this.mergeCustomFields(deal, this.s.dealFields, input.custom_fields);
    deal.update_time = t;
    return deal;
  }

  private applyPerson(person: Person, input: Input, t: string): Person {
    if (input.first_name !== undefined)
      person.first_name = input.first_name === null ? null : requireString(input.first_name, 'first_name');
    if (input.last_name !== undefined)
      person.last_name = input.last_name === null ? null : requireString(input.last_name, 'last_name');
    if (input.name !== undefined) {
      person.name = requireString(input.name, 'name');
      if (input.first_name === undefined && input.last_name === undefined) {
        const [first, ...rest] = person.name.trim().split(/\s+/);
        person.first_name = first ?? null;
        person.last_name = rest.length > 0 ? rest.join(' ') : null;
      }
    } else if (input.first_name !== undefined || input.last_name !== undefined) {
      person.name = [person.first_name, person.last_name].filter(Boolean).join(' ');
    }
    if (input.org_id !== undefined)
      person.org_id = input.org_id === null ? null : this.organization(requireNumber(input.org_id, 'org_id')).id;
    if (input.owner_id !== undefined) person.owner_id = this.userId(input.owner_id);
    if (input.emails !== undefined) person.emails = contactPoints(input.emails, 'emails');
    if (input.phones !== undefined) person.phones = contactPoints(input.phones, 'phones');
    if (input.visible_to !== undefined) person.visible_to = requireNumber(input.visible_to, 'visible_to');
    if (input.label_ids !== undefined) person.label_ids = requireNumberArray(input.label_ids, 'label_ids');
    this.mergeCustomFields(person, this.s.personFields, input.custom_fields);
    person.update_time = t;
    return person;
  }

  private applyOrganization(org: Organization, input: Input, t: string): Organization {
    if (input.name !== undefined) org.name = requireString(input.name, 'name');
    if (input.owner_id !== undefined) org.owner_id = this.userId(input.owner_id);
    if (input.address !== undefined) org.address = address(input.address);
    if (input.visible_to !== undefined) org.visible_to = requireNumber(input.visible_to, 'visible_to');
    if (input.label_ids !== undefined) org.label_ids = requireNumberArray(input.label_ids, 'label_ids');
    this.mergeCustomFields(org, this.s.organizationFields, input.custom_fields);
    org.update_time = t;
    return org;
  }

  private mergeCustomFields(
    target: { custom_fields: Record<string, unknown> },
    fields: typeof this.s.dealFields,
    input: unknown,
  ): void {
    const values = validateCustomFields(fields, this.s.users, input);
    for (const [key, value] of Object.entries(values)) {
      if (value === null) delete target.custom_fields[key];
      else target.custom_fields[key] = value;
    }
  }

  private userId(value: unknown): number {
    const id = requireNumber(value, 'owner_id');
    if (!this.s.users.some((u) => u.id === id)) throw badRequest('User not found');
    return id;
  }

  private replace<T extends { id: number; custom_fields: Record<string, unknown> }>(
    list: T[],
    before: T,
    after: T,
    entity: EntityName,
    actor: Actor,
  ): T {
    const previous = changedFields(before, after);
    // A write that changes nothing leaves the record (and update_time) alone and sends no webhook.
    if (previous === null) return before;
    list[list.indexOf(before)] = after;
    this.commit('change', entity, after.id, after, previous, actor);
    return after;
  }

  private remove(
    record: { id: number; is_deleted: boolean; update_time: string },
    entity: EntityName,
    actor: Actor,
  ): void {
    const snapshot = structuredClone(record);
    record.is_deleted = true;
    record.update_time = nowIso();
    this.commit('delete', entity, record.id, null, snapshot, actor);
  }

  private commit(
    action: ChangeEvent['action'],
    entity: EntityName,
    entityId: number,
    data: object | null,
    previous: object | null,
    actor: Actor,
  ): void {
    this.store.persist();
    this.publish({
      action,
      entity,
      entityId,
      data: data && structuredClone(data),
      previous,
      actor,
      timestamp: new Date().toISOString(),
    });
  }
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
  return value;
}

function requireNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`${name} must be a number`);
  return value;
}

function requireNumberArray(value: unknown, name: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number'))
    throw badRequest(`${name} must be an array of numbers`);
  return value as number[];
}

function contactPoints(value: unknown, name: string): ContactPoint[] {
  if (!Array.isArray(value)) throw badRequest(`${name} must be an array`);
  const points = value.map((item): ContactPoint => {
    if (typeof item === 'string') return { value: item, primary: false, label: 'work' };
    if (!item || typeof item !== 'object' || typeof (item as { value?: unknown }).value !== 'string')
      throw badRequest(`${name} items need a value`);
    const { value: v, primary, label } = item as { value: string; primary?: unknown; label?: unknown };
    return { value: v, primary: primary === true, label: typeof label === 'string' ? label : 'work' };
  });
  const first = points[0];
  if (first && !points.some((p) => p.primary)) first.primary = true;
  return points;
}

function address(value: unknown): Address | null {
  if (value === null) return null;
  const empty = {
    street_number: null,
    route: null,
    sublocality: null,
    locality: null,
    admin_area_level_1: null,
    admin_area_level_2: null,
    country: null,
    postal_code: null,
  };
  if (typeof value === 'string') return { ...empty, value, formatted_address: value };
  if (typeof value !== 'object') throw badRequest('address must be an object');
  const a = value as Partial<Record<keyof Address, unknown>>;
  const pick = (k: keyof typeof empty): string | null => (typeof a[k] === 'string' ? (a[k] as string) : null);
  const parts = {
    street_number: pick('street_number'),
    route: pick('route'),
    sublocality: pick('sublocality'),
    locality: pick('locality'),
    admin_area_level_1: pick('admin_area_level_1'),
    admin_area_level_2: pick('admin_area_level_2'),
    country: pick('country'),
    postal_code: pick('postal_code'),
  };
  const composed = [
    [parts.street_number, parts.route].filter(Boolean).join(' '),
    [parts.postal_code, parts.locality].filter(Boolean).join(' '),
    parts.admin_area_level_1,
    parts.country,
  ]
    .filter((x) => typeof x === 'string' && x !== '')
    .join(', ');
  const text = typeof a.value === 'string' ? a.value : composed;
  return {
    ...parts,
    value: text,
    formatted_address: typeof a.formatted_address === 'string' ? a.formatted_address : text,
  };
}

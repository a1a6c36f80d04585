/**
 * `doctor`'s Pipedrive checks, read-only unless `--fix`: the token and its user, every custom field the mapping template
 * reads or writes (exists, compatible type, options), the stage that starts onboarding, and the webhook at the app's
 * public URL. With `--fix`, a missing custom field the template names is created (the only Pipedrive change doctor makes).
 */
import type { Mapping, PipedriveSource } from '../../domain/mapping/schema';
import { isLeadSourceTarget } from '../../domain/lead-source';
import { mapValue } from '../../domain/reference-resolution';
import { fail, pass, warn, type DoctorReport } from './doctor-report';

type Entity = 'deal' | 'organization' | 'person';
type Ref = { name: string } | { key: string };

interface PipedriveField {
  id: number;
  key: string;
  name: string;
  field_type: string;
  options?: Array<{ id: number | string; label: string }> | null;
}

/** One custom field the template needs: where, by what reference, which types work, how `--fix` would create it. */
interface FieldNeed {
  path: string;
  entity: Entity;
  ref: Ref;
  types: string[];
  create: { field_type: string; options?: string[] };
  /** Option labels that must exist (the values the product writes). */
  requiredOptions?: string[];
  canonical: string;
}

const TEXT = ['varchar', 'varchar_auto', 'text'];

export interface PipedriveDoctorContext {
  apiUrl: string;
  apiToken: string;
  publicUrl: string;
  webhookPath: string;
  fix: boolean;
}

/** NetSuite names the company's Pipedrive options translate to, for the NetSuite checks to confirm. */
export interface PipedriveFindings {
  /** leadSource: options of attribution fields the template sends to NetSuite's standard leadSource. */
  optionTargets: { subsidiary: string[]; terms: string[]; leadSource: Array<{ value: string; from: string }> };
}

function refOf(source: PipedriveSource): Ref | undefined {
  return source.key !== undefined
    ? { key: source.key }
    : source.field !== undefined
      ? { name: source.field }
      : undefined;
}

export function fieldNeeds(mapping: Mapping): FieldNeed[] {
  const needs: FieldNeed[] = [];
  const o = mapping.pipedrive.orchestratorFields;
  const orch = (name: keyof typeof o, types: string[], create: FieldNeed['create'], requiredOptions?: string[]) => {
    const ref = o[name].key !== undefined ? { key: o[name].key } : { name: o[name].field! };
    needs.push({
      path: `pipedrive.orchestratorFields.${name}`,
      entity: 'deal',
      ref,
      types,
      create,
      canonical: name,
      ...(requiredOptions ? { requiredOptions } : {}),
    });
  };
  orch('externalId', TEXT, { field_type: 'varchar' });
  orch('onboardingStatus', [...TEXT, 'enum'], { field_type: 'varchar' });
  orch('needsRemediation', ['enum', ...TEXT], { field_type: 'enum', options: ['Yes', 'No'] }, ['Yes', 'No']);
  const f = mapping.fields;
  const add = (path: string, source: PipedriveSource, types: string[], create: FieldNeed['create']) => {
    const ref = refOf(source);
    if (ref)
      needs.push({
        path: `${path}.source`,
        entity: source.from,
        ref,
        types,
        create,
        canonical: path.replace(/^fields\./, ''),
      });
  };
  const packageLabels = [...Object.keys(f.package.values ?? {}), ...Object.keys(f.package.packages)];
  add('fields.package', f.package.source, ['enum', 'set', ...TEXT], { field_type: 'enum', options: packageLabels });
  add('fields.billingOwner', f.billingOwner.source, [...TEXT, 'user', 'people'], { field_type: 'varchar' });
  add('fields.csm', f.csm.source, ['user', 'people', ...TEXT], { field_type: 'user' });
  add('fields.timeToValue', f.timeToValue.source, ['date', ...TEXT], { field_type: 'date' });
  add('fields.invoiceDate', f.invoiceDate.source, ['date', ...TEXT], { field_type: 'date' });
  add('fields.taxId', f.taxId.source, TEXT, { field_type: 'varchar' });
  add('fields.subsidiary', f.subsidiary.source, ['enum', ...TEXT], { field_type: 'varchar' });
  add('fields.terms', f.terms.source, ['enum', ...TEXT], { field_type: 'varchar' });
  add('fields.companyName', f.companyName.source, TEXT, { field_type: 'varchar' });
  add('fields.email', f.email.source, TEXT, { field_type: 'varchar' });
  add('fields.phone', f.phone.source, [...TEXT, 'phone'], { field_type: 'phone' });
  add('fields.address', f.address.source, ['address', ...TEXT], { field_type: 'address' });
  add('fields.currency', f.currency.source, ['enum', ...TEXT], { field_type: 'varchar' });
  add('fields.contact', f.contact.source, TEXT, { field_type: 'varchar' });
  for (const name of ['campaign', 'leadSource', 'channel'] as const) {
    const entry = f.attribution[name];
    if (entry) add(`fields.attribution.${name}`, entry.source, ['enum', 'set', ...TEXT], { field_type: 'varchar' });
  }
  return needs;
}

async function call<T>(ctx: PipedriveDoctorContext, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${ctx.apiUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      'x-api-token': ctx.apiToken,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json().catch(() => undefined)) as
    | {
        success?: boolean;
        data?: T;
        error?: string;
        additional_data?: { pagination?: { more_items_in_collection?: boolean; next_start?: number } };
      }
    | undefined;
  if (!res.ok || json?.success !== true)
    throw new Error(
      `Pipedrive ${method} ${path.split('?')[0]}: HTTP ${res.status}${json?.error ? ` ${json.error}` : ''}`,
    );
  return json.data as T;
}

async function allFields(ctx: PipedriveDoctorContext, entity: Entity): Promise<PipedriveField[]> {
  const out: PipedriveField[] = [];
  for (let start = 0; ;) {
    const res = await fetch(`${ctx.apiUrl.replace(/\/+$/, '')}/v1/${entity}Fields?start=${start}&limit=500`, {
      headers: { 'x-api-token': ctx.apiToken },
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await res.json()) as {
      success?: boolean;
      data?: PipedriveField[] | null;
      additional_data?: { pagination?: { more_items_in_collection?: boolean; next_start?: number } };
    };
    if (!res.ok || json.success !== true) throw new Error(`Pipedrive GET /v1/${entity}Fields: HTTP ${res.status}`);
    out.push(...(json.data ?? []));
    const next = json.additional_data?.pagination;
    if (!next?.more_items_in_collection || next.next_start === undefined) return out;
    start = next.next_start;
  }
}

const describe = (ref: Ref): string => ('name' in ref ? `"${ref.name}"` : `with key ${ref.key}`);
const labels = (f: PipedriveField): string[] => (f.options ?? []).map((o) => o.label);

export async function pipedriveChecks(
  report: DoctorReport,
  ctx: PipedriveDoctorContext,
  mapping: Mapping,
): Promise<PipedriveFindings> {
  const findings: PipedriveFindings = { optionTargets: { subsidiary: [], terms: [], leadSource: [] } };
  const me = await report.check(
    'API token and its user',
    async () => {
      const user = await call<{ name: string; email: string; company_name?: string; is_admin?: boolean }>(
        ctx,
        'GET',
        '/v1/users/me',
      );
      return pass(`token of ${user.name} <${user.email}>${user.company_name ? `, company ${user.company_name}` : ''}`);
    },
    'Set PIPEDRIVE_API_TOKEN to the API token of the integration user (Pipedrive > Personal preferences > API) and PIPEDRIVE_COMPANY_DOMAIN to the company subdomain.',
  );
  const needs = fieldNeeds(mapping);
  if (me.status === 'fail') {
    for (const n of needs) report.skip(`${n.path}: ${n.entity} field ${describe(n.ref)}`, 'no working token');
    report.skip(`stage "${mapping.pipedrive.contractSignedStage}"`, 'no working token');
    report.skip('webhook', 'no working token');
    return findings;
  }

  const catalogs = new Map<Entity, PipedriveField[]>();
  const fieldsOf = async (entity: Entity) => {
    if (!catalogs.has(entity)) catalogs.set(entity, await allFields(ctx, entity));
    return catalogs.get(entity)!;
  };
  for (const need of needs) {
    await report.check(`${need.path}: ${need.entity} field ${describe(need.ref)}`, async () => {
      const fields = await fieldsOf(need.entity);
      const field =
        'key' in need.ref
          ? fields.find((f) => f.key === (need.ref as { key: string }).key)
          : fields.find((f) => f.name === (need.ref as { name: string }).name);
      if (!field) {
        if (ctx.fix && 'name' in need.ref) {
          const created = await call<PipedriveField>(ctx, 'POST', `/v1/${need.entity}Fields`, {
            name: need.ref.name,
            field_type: need.create.field_type,
            ...(need.create.options ? { options: need.create.options.map((label) => ({ label })) } : {}),
          });
          fields.push(created);
          return {
            status: 'pass',
            fixed: `created ${need.entity} field "${created.name}" (${created.field_type}, key ${created.key})`,
          };
        }
        const similar = fields
          .filter(
            (f) =>
              'name' in need.ref &&
              f.name.toLowerCase().includes((need.ref as { name: string }).name.toLowerCase().slice(0, 4)),
          )
          .map((f) => `"${f.name}"`);
        return fail(
          `no ${need.entity} field ${describe(need.ref)}${similar.length ? ` (similar: ${similar.slice(0, 3).join(', ')})` : ''}`,
          'name' in need.ref
            ? `Create a ${need.entity} custom field "${need.ref.name}" of type ${need.create.field_type} in Pipedrive (or run doctor --fix), or point ${need.path} in the mapping template at the field you use.`
            : `Point ${need.path} in the mapping template at an existing ${need.entity} field (its key is in Pipedrive > Settings > Data fields).`,
        );
      }
      if (!need.types.includes(field.field_type)) {
        return fail(
          `"${field.name}" is of type ${field.field_type}; ${need.canonical} needs one of ${need.types.join(', ')}`,
          `Change the field's type in Pipedrive, or point ${need.path} at a field of a compatible type.`,
        );
      }
      const missingOptions =
        field.field_type === 'enum' ? (need.requiredOptions ?? []).filter((o) => !labels(field).includes(o)) : [];
      if (missingOptions.length) {
        return fail(
          `"${field.name}" lacks option(s) ${missingOptions.map((o) => `"${o}"`).join(', ')}`,
          `Add the option(s) to "${field.name}" in Pipedrive: the orchestrator writes them.`,
        );
      }
      if (need.canonical === 'package' && (field.field_type === 'enum' || field.field_type === 'set')) {
        const unmapped = labels(field).filter(
          (l) =>
            mapValue(mapping.fields.package, l) === l &&
            !Object.prototype.hasOwnProperty.call(mapping.fields.package.packages, l.trim().toUpperCase()),
        );
        if (unmapped.length) {
          return warn(
            `options ${unmapped.map((l) => `"${l}"`).join(', ')} map to no package: deals with them go to review`,
            `Add them to fields.package.values (option → package code) in the mapping template.`,
          );
        }
      }
      if ((need.canonical === 'subsidiary' || need.canonical === 'terms') && field.field_type === 'enum') {
        const entry = mapping.fields[need.canonical];
        findings.optionTargets[need.canonical].push(...labels(field).map((l) => mapValue(entry, l) ?? l));
      }
      const attribution = /^attribution\.(campaign|leadSource|channel)$/.exec(need.canonical)?.[1] as
        'campaign' | 'leadSource' | 'channel' | undefined;
      const entry = attribution ? mapping.fields.attribution[attribution] : undefined;
      if (entry && isLeadSourceTarget(entry.target) && (field.field_type === 'enum' || field.field_type === 'set'))
        findings.optionTargets.leadSource.push(
          ...labels(field).map((l) => ({
            value: mapValue(entry, l) ?? l,
            from: `Pipedrive option "${l}" of ${need.path}`,
          })),
        );
      return pass(
        `"${field.name}" (${field.field_type}${field.options?.length ? `, ${field.options.length} options` : ''})`,
      );
    });
  }

  await report.check(`stage "${mapping.pipedrive.contractSignedStage}"`, async () => {
    const stages = await call<Array<{ id: number; name: string; pipeline_id: number; is_deleted?: boolean }>>(
      ctx,
      'GET',
      '/api/v2/stages?limit=500',
    );
    const hits = stages.filter((s) => s.name === mapping.pipedrive.contractSignedStage && s.is_deleted !== true);
    if (hits.length === 0) {
      return fail(
        `no stage named "${mapping.pipedrive.contractSignedStage}" (stages: ${[...new Set(stages.map((s) => s.name))]
          .slice(0, 8)
          .map((n) => `"${n}"`)
          .join(', ')})`,
        'Set pipedrive.contractSignedStage in the mapping template to the stage whose entry starts onboarding.',
      );
    }
    return pass(`stage ${hits.map((h) => `${h.id} (pipeline ${h.pipeline_id})`).join(', ')}`);
  });

  const wanted = `${ctx.publicUrl.replace(/\/+$/, '')}${ctx.webhookPath}`;
  await report.check(`webhook to ${wanted}`, async () => {
    const hooks =
      (await call<Array<{
        id: number;
        subscription_url: string;
        event_action: string;
        event_object: string;
        version?: string | null;
        is_active?: number | boolean;
      }> | null>(ctx, 'GET', '/v1/webhooks')) ?? [];
    const hit = hooks.find((h) => h.subscription_url === wanted);
    if (!hit) {
      return fail(
        `no webhook posts to ${wanted}${
          hooks.length
            ? ` (webhooks: ${hooks
                .map((h) => h.subscription_url)
                .slice(0, 3)
                .join(', ')})`
            : ''
        }`,
        'Start the app with APP_PUBLIC_URL set to the address Pipedrive can reach: it registers the webhook at start-up (starters/intake/webhook-registration.ts).',
      );
    }
    const events = `${hit.event_action}.${hit.event_object}`;
    if (!['change.deal', '*.deal', 'change.*', '*.*'].includes(events) || (hit.version && hit.version !== '2.0')) {
      return fail(
        `webhook ${hit.id} sends ${events} v${hit.version ?? '1'}; the intake needs deal changes, v2`,
        'Delete it in Pipedrive (Settings > Webhooks) and restart the app, which registers the right one.',
      );
    }
    return pass(`webhook ${hit.id} (${events}, v${hit.version ?? '2.0'})`);
  });
  return findings;
}

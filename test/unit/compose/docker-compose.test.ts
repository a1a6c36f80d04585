/**
 * docker-compose.temporal.yml cannot be started here (no container engine), so it is checked as data: parsed
 * YAML held against the names and ports the code relies on (runtime/defaults.ts, domain/temporal-names.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../../../domain/temporal-names';
import { DEFAULT_NAMESPACE, DEFAULT_PORTS } from '../../../runtime/defaults';
import { defaultClusterPorts, serverConfig, SERVICES } from '../../../scripts/cluster-config';
import { clusterSettings, dynamicConfigPath, retentionSeconds } from '../../../scripts/cluster-settings';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.temporal.yml');
const SEARCH_ATTRIBUTE_SERVICE = 'temporal-create-search-attributes';
const SEARCH_ATTRIBUTE_CREATE = 'temporal operator search-attribute create';

interface Service {
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number; host_ip?: string }>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  entrypoint?: string | string[];
  command?: string | string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;
const services = Object.entries(compose.services);

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`service ${name} missing from docker-compose.temporal.yml`);
  return found;
}

/** The single service running `image` (a repository name without tag). */
function serviceByImage(repository: string): [string, Service] {
  const matches = services.filter(([, s]) => s.image?.split(':')[0] === repository);
  if (matches.length !== 1) throw new Error(`expected one service with image ${repository}, found ${matches.length}`);
  return matches[0]!;
}

function env(s: Service): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const entry of s.environment) {
      const eq = entry.indexOf('=');
      if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else {
    for (const [k, v] of Object.entries(s.environment ?? {})) out[k] = v === null ? '' : String(v);
  }
  return out;
}

/** Ports in short (`[ip:]host:container`) or long syntax, as host → container numbers. */
function publishedPorts(s: Service): Array<{ host: number; container: number }> {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') return { host: Number(p.published), container: p.target };
    const parts = String(p).split('/')[0]!.split(':');
    const container = Number(parts[parts.length - 1]);
    const host = parts.length >= 2 ? Number(parts[parts.length - 2]) : container;
    return { host, container };
  });
}

function dependsOnHealthy(s: Service, on: string): boolean {
  const deps = s.depends_on;
  return !!deps && !Array.isArray(deps) && deps[on]?.condition === 'service_healthy';
}

function commandText(s: Service): string {
  const parts = [s.entrypoint, s.command].flatMap((p) => (p === undefined ? [] : Array.isArray(p) ? p : [p]));
  return parts.join('\n');
}

/** Every `temporal operator search-attribute create …` line of the script, its flags parsed. */
function searchAttributeCreations(script: string): Array<Record<string, string>> {
  return script
    .split('\n')
    .filter((line) => line.includes(SEARCH_ATTRIBUTE_CREATE))
    .map((line) => {
      const args = line
        .slice(line.indexOf(SEARCH_ATTRIBUTE_CREATE) + SEARCH_ATTRIBUTE_CREATE.length)
        .trim()
        .split(/\s+/);
      const flags: Record<string, string> = {};
      for (let i = 0; i < args.length; i += 2) {
        const flag = args[i]!;
        const value = args[i + 1];
        if (!flag.startsWith('--') || value === undefined || value.startsWith('-')) {
          throw new Error(`unexpected argument ${flag} in: ${line.trim()}`);
        }
        if (flag in flags) throw new Error(`${flag} given twice in: ${line.trim()}`);
        flags[flag] = value;
      }
      return flags;
    });
}

describe('docker-compose.temporal.yml', () => {
  it('pins every image to a versioned tag, never latest', () => {
    expect(services.length).toBeGreaterThanOrEqual(5);
    for (const [name, s] of services) {
      expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(/^[^:@\s]+:[^:@\s]*\d[^:@\s]*$/) });
      expect({ name, image: s.image }).toEqual({ name, image: expect.not.stringMatching(/latest/i) });
    }
  });

  it('runs the official auto-setup server 1.29.x on PostgreSQL with the mounted dynamic config', () => {
    const [name, temporal] = serviceByImage('temporalio/auto-setup');
    expect(temporal.image).toMatch(/^temporalio\/auto-setup:1\.29\.\d+$/);
    const e = env(temporal);
    expect(e.DB).toBe('postgres12');
    expect(e.POSTGRES_SEEDS).toBe('postgresql');
    expect(compose.services[e.POSTGRES_SEEDS!]?.image).toMatch(/^postgres:16\.\d+/);
    expect(e.DEFAULT_NAMESPACE).toBe(DEFAULT_NAMESPACE);
    expect(dependsOnHealthy(temporal, 'postgresql')).toBe(true);
    expect(JSON.stringify(temporal.healthcheck?.test)).toContain(`--address ${name}:${DEFAULT_PORTS.temporalGrpc}`);
  });

  it('publishes the Temporal frontend on DEFAULT_PORTS.temporalGrpc', () => {
    const [, temporal] = serviceByImage('temporalio/auto-setup');
    expect(publishedPorts(temporal)).toContainEqual({ host: DEFAULT_PORTS.temporalGrpc, container: 7233 });
  });

  it('publishes the Web UI on DEFAULT_PORTS.temporalUi and points it at the server gRPC port', () => {
    const [temporalName, temporal] = serviceByImage('temporalio/auto-setup');
    const [, ui] = serviceByImage('temporalio/ui');
    expect(ui.image).toMatch(/^temporalio\/ui:2\.42\.\d+$/);
    expect(publishedPorts(ui)).toContainEqual({ host: DEFAULT_PORTS.temporalUi, container: 8080 });
    const grpc = publishedPorts(temporal).find((p) => p.host === DEFAULT_PORTS.temporalGrpc);
    expect(env(ui).TEMPORAL_ADDRESS).toBe(`${temporalName}:${grpc?.container}`);
    expect(env(ui).TEMPORAL_CORS_ORIGINS).toContain(`http://127.0.0.1:${DEFAULT_PORTS.temporalUi}`);
    expect(dependsOnHealthy(ui, temporalName)).toBe(true);
  });

  it('registers exactly the search attributes of SEARCH_ATTRIBUTE_DECLARATIONS in DEFAULT_NAMESPACE', () => {
    const [temporalName] = serviceByImage('temporalio/auto-setup');
    const s = service(SEARCH_ATTRIBUTE_SERVICE);
    expect(s.image).toMatch(/^temporalio\/admin-tools:1\.29\.\d+/);
    expect(dependsOnHealthy(s, temporalName)).toBe(true);
    const grpc = publishedPorts(serviceByImage('temporalio/auto-setup')[1]).find(
      (p) => p.host === DEFAULT_PORTS.temporalGrpc,
    );
    expect(env(s).TEMPORAL_ADDRESS).toBe(`${temporalName}:${grpc?.container}`);

    const creations = searchAttributeCreations(commandText(s));
    const expected = SEARCH_ATTRIBUTE_DECLARATIONS.map(({ name, type }) => ({
      '--namespace': DEFAULT_NAMESPACE,
      '--name': name,
      '--type': type,
    }));
    expect(creations).toHaveLength(4);
    expect(creations).toEqual(expect.arrayContaining(expected));
    expect(expected).toEqual(expect.arrayContaining(creations));
    expect(new Set(creations.map((c) => c['--type']))).toEqual(new Set(['Keyword']));
  });

  it('makes the search-attribute script idempotent and safe from compose interpolation', () => {
    const script = commandText(service(SEARCH_ATTRIBUTE_SERVICE));
    expect(script).toMatch(/already exists/);
    expect(script).toContain(`namespace describe --namespace ${DEFAULT_NAMESPACE}`);
    // Compose replaces `$x`/`${x}`; the shell must only ever see `$$` in this file.
    expect(script.replace(/\$\$/g, '')).not.toContain('$');
  });

  it('keeps PostgreSQL data in a named volume and health-checks it', () => {
    const [, postgres] = serviceByImage('postgres');
    const dataMount = (postgres.volumes ?? [])
      .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
      .find((v) => v.target === '/var/lib/postgresql/data');
    expect(dataMount?.source).toBe('temporal-postgres-data');
    expect(compose.volumes).toHaveProperty('temporal-postgres-data');
    expect(JSON.stringify(postgres.healthcheck?.test)).toContain('pg_isready');
  });

  it('mounts a dynamic config file that exists in the repository', () => {
    const [, temporal] = serviceByImage('temporalio/auto-setup');
    const configPath = env(temporal).DYNAMIC_CONFIG_FILE_PATH!; // relative to TEMPORAL_HOME=/etc/temporal
    expect(configPath).toBe('config/dynamicconfig/development-sql.yaml');
    const inContainer = posix.join('/etc/temporal', configPath);
    const mount = (temporal.volumes ?? [])
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.split(':'))
      .find(([, target]) => target !== undefined && inContainer.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    const [source, target] = mount!;
    const hostFile = join(REPO_ROOT, source!, posix.relative(target!, inContainer));
    expect(hostFile).toBe(join(REPO_ROOT, 'deploy/temporal/dynamicconfig/development-sql.yaml'));
    expect(existsSync(hostFile)).toBe(true);
    const dynamicConfig = parse(readFileSync(hostFile, 'utf8')) as Record<string, Array<{ value: unknown }>>;
    expect(dynamicConfig['limit.maxIDLength']?.[0]?.value).toBe(255);
  });
});

/** `npm run cluster` reads deploy/temporal/cluster.json; compose cannot, so it repeats the values and this holds them equal. */
describe('deploy/temporal/cluster.json and docker-compose.temporal.yml agree', () => {
  const settings = clusterSettings();
  const [, temporal] = serviceByImage('temporalio/auto-setup');
  const e = env(temporal);

  it('run the same Temporal server, Web UI and admin tools versions', () => {
    expect(temporal.image).toBe(`temporalio/auto-setup:${settings.temporalVersion}`);
    expect(serviceByImage('temporalio/ui')[1].image).toBe(`temporalio/ui:${settings.uiVersion}`);
    for (const [name, s] of services.filter(([, s]) => s.image?.startsWith('temporalio/admin-tools:'))) {
      expect({ name, image: s.image }).toEqual({
        name,
        image: expect.stringMatching(
          new RegExp(`^temporalio/admin-tools:${settings.temporalVersion.replace(/\./g, '\\.')}-`),
        ),
      });
    }
  });

  it('use the same databases, user, history shard count, namespace and retention', () => {
    expect(e.DBNAME).toBe(settings.postgres.database);
    expect(e.VISIBILITY_DBNAME).toBe(settings.postgres.visibilityDatabase);
    expect(e.POSTGRES_USER).toBe(settings.postgres.user);
    expect(e.POSTGRES_PWD).toBe(`\${POSTGRES_PASSWORD:-${settings.postgres.password}}`);
    expect(e.DB).toBe(settings.postgres.plugin);
    expect(Number(e.NUM_HISTORY_SHARDS)).toBe(settings.numHistoryShards);
    expect(e.DEFAULT_NAMESPACE).toBe(settings.namespace.name);
    expect(e.DEFAULT_NAMESPACE_RETENTION).toBe(settings.namespace.retention);
    expect(settings.namespace.name).toBe(DEFAULT_NAMESPACE);
    expect(retentionSeconds(settings)).toBe(Number(settings.namespace.retention.replace('h', '')) * 3600);
  });

  it("register the same search attributes, which are the code's", () => {
    const creations = searchAttributeCreations(commandText(service(SEARCH_ATTRIBUTE_SERVICE))).map((c) => ({
      name: c['--name'],
      type: c['--type'],
    }));
    expect(settings.searchAttributes).toEqual(expect.arrayContaining(creations));
    expect(creations).toEqual(expect.arrayContaining(settings.searchAttributes));
    expect(settings.searchAttributes).toHaveLength(SEARCH_ATTRIBUTE_DECLARATIONS.length);
    expect(settings.searchAttributes).toEqual(expect.arrayContaining([...SEARCH_ATTRIBUTE_DECLARATIONS]));
  });

  it('load the same dynamic config file', () => {
    const mount = (temporal.volumes ?? []).filter((v): v is string => typeof v === 'string').map((v) => v.split(':'));
    const configDir = mount.find(([, target]) => target === '/etc/temporal/config/dynamicconfig')?.[0];
    expect(join(REPO_ROOT, configDir!, posix.basename(e.DYNAMIC_CONFIG_FILE_PATH!))).toBe(dynamicConfigPath(settings));
    expect(existsSync(dynamicConfigPath(settings))).toBe(true);
  });

  it("are what the cluster script renders into every service's config", () => {
    const ports = defaultClusterPorts({
      host: '127.0.0.1',
      frontend: DEFAULT_PORTS.temporalGrpc,
      ui: DEFAULT_PORTS.temporalUi,
      postgres: 7432,
    });
    for (const service of SERVICES) {
      const config = serverConfig(service, ports, settings) as {
        persistence: {
          numHistoryShards: number;
          datastores: Record<string, { sql: { databaseName: string; user: string; pluginName: string } }>;
        };
        dynamicConfigClient: { filepath: string };
        services: { frontend: { rpc: { grpcPort: number } } };
      };
      expect(config.persistence.numHistoryShards).toBe(settings.numHistoryShards);
      expect(
        Object.values(config.persistence.datastores)
          .map((d) => d.sql.databaseName)
          .sort(),
      ).toEqual([settings.postgres.database, settings.postgres.visibilityDatabase].sort());
      expect(
        new Set(Object.values(config.persistence.datastores).map((d) => `${d.sql.pluginName}/${d.sql.user}`)),
      ).toEqual(new Set([`${settings.postgres.plugin}/${settings.postgres.user}`]));
      expect(config.dynamicConfigClient.filepath).toBe(dynamicConfigPath(settings));
      expect(config.services.frontend.rpc.grpcPort).toBe(DEFAULT_PORTS.temporalGrpc);
    }
  });
});

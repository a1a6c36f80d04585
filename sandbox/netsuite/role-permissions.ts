/**
 * The role the simulator's access token logs in with, and its record permissions. NetSuite grants each permission at a
 * level (0 None, 1 View, 2 Create, 3 Edit, 4 Full) and lists them in SuiteQL's `rolepermissions` table (role, permkey,
 * name, permlevel, restriction); a request the role's level does not cover is answered 403 INSUFFICIENT_PERMISSION
 * before the record is looked up or its body validated. Tests and doctor's checks lower a level through
 * `PUT /__sim/role/permissions` (admin-routes.ts) or the simulator's `rolePermissions` option.
 */
import type Database from 'better-sqlite3';
import { NetSuiteError } from './netsuite-error';

/** The token's role (a custom "web services only" role, as an integration would have). */
export const INTEGRATION_ROLE = { id: 1031, name: 'Onboarding Integration' } as const;

export const PERMISSION_LEVEL = { none: 0, view: 1, create: 2, edit: 3, full: 4 } as const;
const LEVEL_NAMES = ['None', 'View', 'Create', 'Edit', 'Full'] as const;

/** The permission each writable record type needs, with the label NetSuite's role page shows under its subtab. */
export const RECORD_PERMISSIONS = {
  customer: { permkey: 'LIST_CUSTJOB', name: 'Customers', subtab: 'Lists' },
  contact: { permkey: 'LIST_CONTACT', name: 'Contacts', subtab: 'Lists' },
  invoice: { permkey: 'TRAN_CUSTINVC', name: 'Invoice', subtab: 'Transactions' },
} as const;

/** The seeded role: Full on the three records, plus the REST login permissions (Setup subtab). */
const SEEDED: ReadonlyArray<{ permkey: string; name: string; level: number }> = [
  ...Object.values(RECORD_PERMISSIONS).map((p) => ({ permkey: p.permkey, name: p.name, level: 4 })),
  { permkey: 'ADMI_RESTWEBSERVICES', name: 'REST Web Services', level: 4 },
  { permkey: 'ADMI_LOGIN_OAUTH', name: 'Log in using Access Tokens', level: 4 },
  { permkey: 'REPO_ANALYTICS', name: 'SuiteAnalytics Workbook', level: 4 },
];

export const ROLE_DDL = `
CREATE TABLE IF NOT EXISTS role (id INTEGER PRIMARY KEY, name TEXT NOT NULL, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS rolepermissions (role INTEGER NOT NULL, permkey TEXT NOT NULL, name TEXT NOT NULL,
  permlevel INTEGER NOT NULL, restriction INTEGER NOT NULL DEFAULT -1, PRIMARY KEY (role, permkey));
`;

export function seedRole(db: Database.Database): void {
  db.exec(ROLE_DDL);
  db.prepare('INSERT OR IGNORE INTO role (id, name) VALUES (?, ?)').run(INTEGRATION_ROLE.id, INTEGRATION_ROLE.name);
  const perm = db.prepare('INSERT OR IGNORE INTO rolepermissions (role, permkey, name, permlevel) VALUES (?, ?, ?, ?)');
  for (const p of SEEDED) perm.run(INTEGRATION_ROLE.id, p.permkey, p.name, p.level);
}

/** Sets levels by permkey (a number 0–4 or a level name); a level of 0 removes the permission, as NetSuite lists none. */
export function setRolePermissions(db: Database.Database, levels: Record<string, unknown>): Record<string, number> {
  const parsed: Record<string, number> = {};
  for (const [permkey, raw] of Object.entries(levels)) {
    const level =
      typeof raw === 'string' && raw.toLowerCase() in PERMISSION_LEVEL
        ? PERMISSION_LEVEL[raw.toLowerCase() as keyof typeof PERMISSION_LEVEL]
        : Number(raw);
    if (!/^[A-Z]+_[A-Z0-9_]+$/.test(permkey) || !Number.isInteger(level) || level < 0 || level > 4)
      throw new NetSuiteError(400, 'INVALID_CONTENT', `Expected {"<PERMKEY>": 0-4 | "none" … "full"}, got ${permkey}.`);
    parsed[permkey] = level;
  }
  db.transaction(() => {
    for (const [permkey, level] of Object.entries(parsed)) {
      if (level === 0) {
        db.prepare('DELETE FROM rolepermissions WHERE role = ? AND permkey = ?').run(INTEGRATION_ROLE.id, permkey);
        continue;
      }
      const name = SEEDED.find((p) => p.permkey === permkey)?.name ?? permkey;
      db.prepare(
        `INSERT INTO rolepermissions (role, permkey, name, permlevel) VALUES (?, ?, ?, ?)
         ON CONFLICT(role, permkey) DO UPDATE SET permlevel = excluded.permlevel`,
      ).run(INTEGRATION_ROLE.id, permkey, name, level);
    }
  })();
  return rolePermissionLevels(db);
}

export function rolePermissionLevels(db: Database.Database): Record<string, number> {
  const rows = db
    .prepare('SELECT permkey, permlevel FROM rolepermissions WHERE role = ? ORDER BY permkey')
    .all(INTEGRATION_ROLE.id) as Array<{ permkey: string; permlevel: number }>;
  return Object.fromEntries(rows.map((r) => [r.permkey, r.permlevel]));
}

/** The level a request method needs on a record: reads View, creates Create, updates and upserts Edit, deletes Full. */
export function levelNeeded(method: string): number {
  if (method === 'GET') return PERMISSION_LEVEL.view;
  if (method === 'POST') return PERMISSION_LEVEL.create;
  if (method === 'DELETE') return PERMISSION_LEVEL.full;
  return PERMISSION_LEVEL.edit;
}

/** Throws NetSuite's 403 when the role's level on the record type is below what the method needs. */
export function requireRecordPermission(
  db: Database.Database,
  type: keyof typeof RECORD_PERMISSIONS,
  method: string,
): void {
  const perm = RECORD_PERMISSIONS[type];
  const row = db
    .prepare('SELECT permlevel FROM rolepermissions WHERE role = ? AND permkey = ?')
    .get(INTEGRATION_ROLE.id, perm.permkey) as { permlevel: number } | undefined;
  const has = row?.permlevel ?? 0;
  const needed = levelNeeded(method);
  if (has >= needed) return;
  throw new NetSuiteError(
    403,
    'INSUFFICIENT_PERMISSION',
    `Permission Violation: You need a higher level of the '${perm.subtab} -> ${perm.name}' permission to access this page (${LEVEL_NAMES[needed]}; the role has ${LEVEL_NAMES[has]}). Please contact your account administrator.`,
  );
}

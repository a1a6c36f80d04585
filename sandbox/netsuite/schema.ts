/**
 * SQLite schema. Tables the client can see through SuiteQL carry NetSuite's names and lowercase column names;
 * simulator bookkeeping lives in `sim_*` tables.
 */
import type Database from 'better-sqlite3';
import { ACME, type AccountSeed } from './reference-data';
import { seedRole } from './role-permissions';

const DDL = `
CREATE TABLE IF NOT EXISTS currency (id INTEGER PRIMARY KEY, name TEXT NOT NULL, symbol TEXT NOT NULL, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS subsidiary (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL, currency INTEGER NOT NULL, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS term (id INTEGER PRIMARY KEY, name TEXT NOT NULL, daysuntilnetdue INTEGER NOT NULL, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, itemid TEXT NOT NULL, displayname TEXT NOT NULL, description TEXT, itemtype TEXT NOT NULL DEFAULT 'Service', baseprice REAL NOT NULL, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS customer (
  id INTEGER PRIMARY KEY, entityid TEXT, companyname TEXT, firstname TEXT, lastname TEXT, isperson TEXT NOT NULL DEFAULT 'F',
  email TEXT, phone TEXT, externalid TEXT, subsidiary INTEGER, terms INTEGER, currency INTEGER, leadsource INTEGER,
  datecreated TEXT, lastmodifieddate TEXT, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS "transaction" (
  id INTEGER PRIMARY KEY, tranid TEXT, type TEXT NOT NULL, entity INTEGER, externalid TEXT, trandate TEXT, duedate TEXT,
  subsidiary INTEGER, terms INTEGER, currency INTEGER, foreigntotal REAL, total REAL, status TEXT, memo TEXT,
  createddate TEXT, lastmodifieddate TEXT);
CREATE TABLE IF NOT EXISTS transactionline (
  id INTEGER NOT NULL, "transaction" INTEGER NOT NULL, linesequencenumber INTEGER NOT NULL, item INTEGER, quantity REAL,
  rate REAL, netamount REAL, memo TEXT, PRIMARY KEY ("transaction", id));
CREATE TABLE IF NOT EXISTS customfield (id INTEGER PRIMARY KEY, scriptid TEXT NOT NULL, label TEXT NOT NULL, fieldtype TEXT NOT NULL DEFAULT 'ENTITY', isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS contactrole (id INTEGER PRIMARY KEY, name TEXT NOT NULL, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS leadsource (id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS contact (
  id INTEGER PRIMARY KEY, entityid TEXT, firstname TEXT, lastname TEXT, email TEXT, phone TEXT, company INTEGER, subsidiary INTEGER,
  contactrole INTEGER, externalid TEXT, datecreated TEXT, lastmodifieddate TEXT, isinactive TEXT NOT NULL DEFAULT 'F');
CREATE TABLE IF NOT EXISTS sim_record (
  type TEXT NOT NULL, id INTEGER NOT NULL, externalid TEXT, body TEXT NOT NULL, PRIMARY KEY (type, id));
CREATE UNIQUE INDEX IF NOT EXISTS sim_record_externalid ON sim_record (type, externalid) WHERE externalid IS NOT NULL;
CREATE TABLE IF NOT EXISTS sim_sequence (type TEXT PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sim_async_job (
  id INTEGER PRIMARY KEY, request TEXT NOT NULL, progress TEXT NOT NULL, result TEXT, start_time TEXT NOT NULL, end_time TEXT);
CREATE TABLE IF NOT EXISTS sim_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sim_idempotency_key (key TEXT PRIMARY KEY, job_id INTEGER NOT NULL, created_at TEXT NOT NULL);
`;

export const DATA_TABLES = [
  'customer',
  'contact',
  '"transaction"',
  'transactionline',
  'sim_record',
  'sim_async_job',
  'sim_idempotency_key',
];

export function createSchema(db: Database.Database, account: AccountSeed = ACME): void {
  db.exec(DDL);
  const seed = db.transaction(() => {
    const currency = db.prepare('INSERT OR IGNORE INTO currency (id, name, symbol) VALUES (?, ?, ?)');
    for (const c of account.currencies) currency.run(c.id, c.name, c.symbol);
    const subsidiary = db.prepare('INSERT OR IGNORE INTO subsidiary (id, name, country, currency) VALUES (?, ?, ?, ?)');
    for (const s of account.subsidiaries) subsidiary.run(s.id, s.name, s.country, s.currency);
    const term = db.prepare('INSERT OR IGNORE INTO term (id, name, daysuntilnetdue) VALUES (?, ?, ?)');
    for (const t of account.terms) term.run(t.id, t.name, t.daysuntilnetdue);
    const item = db.prepare(
      'INSERT OR IGNORE INTO item (id, itemid, displayname, description, baseprice) VALUES (?, ?, ?, ?, ?)',
    );
    for (const i of account.items) item.run(i.id, i.itemid, i.displayname, i.displayname, i.baseprice);
    const custom = db.prepare('INSERT OR IGNORE INTO customfield (id, scriptid, label) VALUES (?, ?, ?)');
    for (const f of account.customFields) custom.run(f.id, f.scriptid, f.label);
    const role = db.prepare('INSERT OR IGNORE INTO contactrole (id, name) VALUES (?, ?)');
    for (const r of account.contactRoles) role.run(r.id, r.name);
    const source = db.prepare('INSERT OR IGNORE INTO leadsource (id, name) VALUES (?, ?)');
    for (const l of account.leadSources) source.run(l.id, l.name);
  });
  // A data file from before lead sources: the customer table gains the column.
  const columns = db.prepare("SELECT name FROM pragma_table_info('customer')").all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'leadsource')) db.exec('ALTER TABLE customer ADD COLUMN leadsource INTEGER');
  seed();
  seedRole(db);
}

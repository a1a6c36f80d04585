/**
 * Files under DATA_DIR hold personal data and secrets (the intake outbox's raw deliveries, reconciliation and backfill
 * reports with e-mails, stack.json with vendor tokens): the directory is owner-only (0700) and every file 0600,
 * whatever the process umask (docs/trust-boundaries.md). Modes are set on creation and tightened on files left by
 * earlier versions, which wrote 0755/0644.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Whether this process owns `path` (chmod of a directory someone else owns, e.g. DATA_DIR=/tmp, is not ours to do). */
function ownedByUs(path: string): boolean {
  return typeof process.getuid !== 'function' || statSync(path).uid === process.getuid();
}

/** Creates `dir` (and parents) 0700, and tightens it to 0700 if it already exists and is ours. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (ownedByUs(dir)) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Tightens an existing file to 0600 (no-op when it does not exist). */
export function restrictFile(path: string): void {
  if (existsSync(path) && ownedByUs(path)) chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * Creates `path` empty at 0600 if missing, so a library that opens it next (SQLite, which gives its -wal and -shm
 * files the database file's mode) never creates it with the umask's mode first.
 */
export function touchPrivateFile(path: string): void {
  ensurePrivateDir(dirname(path));
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  restrictFile(path);
}

/**
 * Writes `data` to `path` at 0600 through a temporary file renamed into place: a reader never sees a half-written
 * file, and the content never exists under a wider mode (writeFileSync's mode applies only to files it creates).
 */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, path);
}

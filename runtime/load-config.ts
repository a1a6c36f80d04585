/** Reads `.env` (if present) under the real environment, then validates; exits with one clear message on error. */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, parseConfig, type Config } from './config';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Real env wins over .env: `override: false` is dotenv's default, stated for the reader.
  loadDotenv({ path: '.env', override: false, quiet: true });
  return parseConfig(env);
}

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

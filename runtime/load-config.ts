/** Reads `.env` (if present) under the real environment, then validates; exits with one clear message on error. */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, parseConfig, type Config, type ParseConfigOptions } from './config';
import { installMapping } from '../domain/mapping/active-mapping';
import { loadMappingFile, mappingFileFrom } from './mapping-loader';

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: ParseConfigOptions = {}): Config {
  // Real env wins over .env: `override: false` is dotenv's default, stated for the reader.
  loadDotenv({ path: '.env', override: false, quiet: true });
  const config = parseConfig(env, options);
  // The mapping template (MAPPING_FILE) is configuration too: a wrong one stops start-up here (a MappingError is a ConfigError).
  installMapping(loadMappingFile(mappingFileFrom(env)));
  return config;
}

export function loadConfigOrExit(options: ParseConfigOptions = {}): Config {
  try {
    return loadConfig(process.env, options);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

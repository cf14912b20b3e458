// The settings of `whiplash`: the profile file, the environment variables, and how flags, environment and profile
// combine.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from './errors';

/** One named set of settings in the profile file. */
export interface Profile {
  readonly apiUrl?: string;
  readonly apiKey?: string;
  readonly project?: string;
}

/** Settings after flags, environment and profile were combined (flags win, then environment, then profile). */
export interface CliConfig extends Profile {
  /** Name of the profile that was read. */
  readonly profile: string;
  /** Path of the profile file. */
  readonly configPath: string;
}

/** Environment variables `whiplash` reads; `WHIPLASH_API_URL` and `WHIPLASH_API_KEY` are the original whiplash's names. */
export const ENV = {
  apiUrl: 'WHIPLASH_API_URL',
  apiKey: 'WHIPLASH_API_KEY',
  project: 'WHIPLASH_PROJECT',
  profile: 'WHIPLASH_PROFILE',
  configFile: 'WHIPLASH_CONFIG',
} as const;

type Env = Record<string, string | undefined>;

/** `$WHIPLASH_CONFIG`, else `$XDG_CONFIG_HOME/whiplash/config.json`, else `$HOME/.config/whiplash/config.json`. */
export function configFilePath(env: Env): string {
  if (env[ENV.configFile]) return env[ENV.configFile]!;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || env.USERPROFILE || '.', '.config');
  return join(base, 'whiplash', 'config.json');
}

interface ConfigFile {
  profiles?: Record<string, Profile>;
}

function readConfigFile(path: string): ConfigFile {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as ConfigFile;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Combines flags, environment and the profile file.
 * @param mustExist refuse a profile named by `--profile` / `WHIPLASH_PROFILE` that the file lacks (off for `config save`)
 * @throws UsageError when a named profile does not exist
 */
export function resolveConfig(flags: { apiUrl?: string; apiKey?: string; project?: string; profile?: string }, env: Env, mustExist = true): CliConfig {
  const configPath = configFilePath(env);
  const explicit = flags.profile ?? env[ENV.profile];
  const profile = explicit ?? 'default';
  const file = readConfigFile(configPath);
  const p = file.profiles?.[profile];
  if (mustExist && explicit && !p) throw new UsageError(`profile "${profile}" not found in ${configPath}`);
  return {
    profile,
    configPath,
    apiUrl: flags.apiUrl ?? env[ENV.apiUrl] ?? p?.apiUrl,
    apiKey: flags.apiKey ?? env[ENV.apiKey] ?? p?.apiKey,
    project: flags.project ?? env[ENV.project] ?? p?.project,
  };
}

/** Writes (or replaces) a profile in the profile file, readable by the owner only. */
export function saveProfile(path: string, name: string, profile: Profile): void {
  const file = readConfigFile(path);
  const profiles = { ...(file.profiles ?? {}), [name]: profile };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ ...file, profiles }, null, 2) + '\n', { mode: 0o600 });
}

/**
 * Which partner, key and URL a command uses, and where each came from.
 * Order: flags > environment > the stored profile. A profile named with --profile counts as a
 * flag: its values beat SAFEWEB_* variables (a guard against a stray exported key silently
 * winning over the profile you asked for); the caller warns about what it overrode.
 */
import { ENVIRONMENTS } from '../environments.js';
import { AuthError, UsageError } from '../errors.js';
import type { ConfigData, Profile } from './store.js';

type Source = 'flag' | 'env' | 'profile' | 'default';

export interface Sourced<T> {
  value: T;
  source: Source;
  /** The variable or profile behind it, for `profile show`. */
  origin: string;
}

export interface FlagSettings {
  profile?: string | undefined;
  partnerId?: string | undefined;
  baseUrl?: string | undefined;
}

export interface Resolved {
  profile: Sourced<string> | undefined;
  partnerId: Sourced<string> | undefined;
  apiKey: Sourced<string> | undefined;
  baseUrl: Sourced<string>;
  /** Environment variables that a --profile flag overrode. */
  overriddenEnv: string[];
  /**
   * Set when the key is the profile's and lives in the OS keychain: `apiKey.value` is then empty
   * until the context reads it (only commands that send a request do).
   */
  keyring: { service: string; account: string } | undefined;
  /** The profile in use is read-only. */
  readOnly: boolean;
  /** The profile in use masks personal data. */
  maskPii: boolean;
}

const ENV = {
  profile: 'SAFEWEB_PROFILE',
  partnerId: 'SAFEWEB_PARTNER_ID',
  apiKey: 'SAFEWEB_API_KEY',
  baseUrl: 'SAFEWEB_BASE_URL',
} as const;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function resolveSettings(
  flags: FlagSettings,
  env: Record<string, string | undefined>,
  config: ConfigData,
): Resolved {
  let profile: Sourced<string> | undefined;
  const flagProfile = nonEmpty(flags.profile);
  const envProfile = nonEmpty(env[ENV.profile]);
  if (flagProfile) profile = { value: flagProfile, source: 'flag', origin: '--profile' };
  else if (envProfile) profile = { value: envProfile, source: 'env', origin: ENV.profile };
  else if (config.activeProfile && config.profiles[config.activeProfile])
    profile = { value: config.activeProfile, source: 'profile', origin: 'active profile' };

  let stored: Profile | undefined;
  if (profile) {
    stored = config.profiles[profile.value];
    if (!stored) {
      const names = Object.keys(config.profiles);
      throw new UsageError(
        `no profile named "${profile.value}" (from ${profile.origin})`,
        names.length
          ? `Known profiles: ${names.join(', ')}.`
          : 'Create one with `safeweb login` or `safeweb profile add`.',
      );
    }
  }
  const profileWins = profile?.source === 'flag';
  const overriddenEnv: string[] = [];

  const pick = (
    key: 'partnerId' | 'apiKey' | 'baseUrl',
    flagValue: string | undefined,
  ): Sourced<string> | undefined => {
    if (flagValue)
      return { value: flagValue, source: 'flag', origin: key === 'partnerId' ? '--partner-id' : '--base-url' };
    const envValue = nonEmpty(env[ENV[key]]);
    const storedValue = key === 'apiKey' && stored?.keyring ? KEYCHAIN : stored?.[key];
    if (envValue && storedValue && profileWins) {
      overriddenEnv.push(ENV[key]);
      return { value: storedValue, source: 'profile', origin: `profile "${profile?.value}"` };
    }
    if (envValue) return { value: envValue, source: 'env', origin: ENV[key] };
    if (storedValue) return { value: storedValue, source: 'profile', origin: `profile "${profile?.value}"` };
    return undefined;
  };

  const apiKey = pick('apiKey', undefined);
  const inKeychain = apiKey?.value === KEYCHAIN;
  if (apiKey && inKeychain) {
    apiKey.value = '';
    apiKey.origin = `keychain (profile "${profile?.value}")`;
  }
  return {
    profile,
    partnerId: pick('partnerId', nonEmpty(flags.partnerId)),
    apiKey,
    baseUrl: pick('baseUrl', nonEmpty(flags.baseUrl)) ?? {
      value: ENVIRONMENTS.production,
      source: 'default',
      origin: 'production',
    },
    overriddenEnv,
    keyring: inKeychain ? stored?.keyring : undefined,
    readOnly: Boolean(stored?.readOnly),
    maskPii: Boolean(stored?.maskPii),
  };
}

/** Marks a key that is in the keychain while settings are picked (never a real key: it has a space). */
const KEYCHAIN = '(in the keychain)';

/** The credentials a request needs, or exit 4 saying how to get them. */
export function requireCredentials(resolved: Resolved): { partnerId: string; apiKey: string; baseUrl: string } {
  // An empty key is one not read from the keychain yet: never sent (clients.ts reads it first).
  const missing = [!resolved.partnerId && 'partner ID', !resolved.apiKey?.value && 'API key'].filter(Boolean);
  if (missing.length) {
    throw new AuthError(
      `no ${missing.join(' or ')} configured`,
      'Run `safeweb login` (or `safeweb profile add`), or set SAFEWEB_PARTNER_ID and SAFEWEB_API_KEY; ' +
        'try `safeweb sandbox start --save-profile` for a local sandbox.',
    );
  }
  checkHeaderValue('partner ID', resolved.partnerId!);
  checkHeaderValue('API key', resolved.apiKey!);
  return { partnerId: resolved.partnerId!.value, apiKey: resolved.apiKey!.value, baseUrl: resolved.baseUrl.value };
}

/**
 * The partner ID and the key travel as header values: a line break or another control
 * character there would be refused by the runtime mid-request (and the runtime's message
 * quotes the value). Refuse it first, naming the setting and where it came from — never the value.
 */
function checkHeaderValue(what: string, setting: Sourced<string>): void {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u001f\u007f]|[^\u0000-\u00ff]/.exec(setting.value);
  if (!bad) return;
  const control = bad[0] < ' ' || bad[0] === '\u007f';
  const kind = /[\r\n]/.test(bad[0]) ? 'a line break' : control ? 'a control character' : 'a character outside Latin-1';
  throw new UsageError(
    `the ${what} from ${describeOrigin(setting)} contains ${kind}; nothing was sent`,
    `Set it again without it (a copy-paste often brings a trailing line break).`,
  );
}

function describeOrigin(setting: Sourced<string>): string {
  return setting.source === 'flag'
    ? setting.origin
    : setting.source === 'env'
      ? `the environment (${setting.origin})`
      : setting.origin;
}

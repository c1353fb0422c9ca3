import { isLoopbackHost } from '../../api/base-url.js';
import { keyStoreOf } from '../../config/key-store.js';
import type { Sourced } from '../../config/resolve.js';
import type { Context } from '../../context.js';
import { ENVIRONMENTS } from '../../environments.js';
import { ExitCode } from '../../exit-codes.js';
import { table, warn, type Outcome } from '../../outcome.js';
import { readOnlyFromEnv } from '../../safety/read-only.js';
import { SETTING_COLUMNS } from '../setting-columns.js';

export type WhoamiOptions = Record<string, never>;

type Environment = 'production' | 'staging' | 'local' | 'custom';

/** Where a setting came from; for the profile, why it is the one in effect. */
interface Origin {
  source: 'flag' | 'env' | 'active' | 'profile' | 'default';
  origin: string;
}

export interface Whoami {
  profile: ({ name: string } & Origin) | null;
  partnerId: ({ value: string } & Origin) | null;
  environment: Environment;
  baseUrl: { value: string } & Origin;
  /** Where the key comes from: never the key. */
  apiKey: Origin | null;
  /** Where the key is kept: the OS keychain, the config file, or the environment / a flag. */
  keyStore: 'keyring' | 'file' | 'env' | null;
  /** Commands that would change something are refused (the profile, or SAFEWEB_READ_ONLY). */
  readOnly: boolean;
  /** Personal data is masked in what this command line shows. */
  maskPii: boolean;
}

/** What the resolved settings say, without a request: useful before a write and in a cron log. */
export async function runWhoami(_opts: WhoamiOptions, ctx: Context): Promise<Outcome<Whoami>> {
  const resolved = await ctx.resolved();
  const origin = (s: Sourced<string>): Origin => ({ source: s.source, origin: s.origin });
  const data: Whoami = {
    profile: resolved.profile
      ? {
          name: resolved.profile.value,
          source: resolved.profile.source === 'profile' ? 'active' : resolved.profile.source,
          origin: resolved.profile.origin,
        }
      : null,
    partnerId: resolved.partnerId ? { value: resolved.partnerId.value, ...origin(resolved.partnerId) } : null,
    environment: environmentOf(resolved.baseUrl.value),
    baseUrl: { value: resolved.baseUrl.value, ...origin(resolved.baseUrl) },
    apiKey: resolved.apiKey ? origin(resolved.apiKey) : null,
    keyStore: keyStoreOf(resolved),
    readOnly: resolved.readOnly || readOnlyFromEnv(ctx.env),
    maskPii: ctx.maskPii,
  };
  const said = (o: Origin | null) => (o ? (o.source === 'env' ? `environment: ${o.origin}` : o.origin) : 'nowhere');
  const complete = data.partnerId && data.apiKey;
  return {
    data,
    view: table(SETTING_COLUMNS, [
      ['Profile', data.profile?.name ?? '(none)', said(data.profile)],
      ['Partner ID', data.partnerId?.value ?? '(not set)', said(data.partnerId)],
      ['Environment', data.environment, 'the base URL'],
      ['Base URL', data.baseUrl.value, said(data.baseUrl)],
      ['API key', data.apiKey ? '(set; never shown)' : '(not set)', said(data.apiKey)],
      ['Key store', STORES[data.keyStore ?? 'none'], data.keyStore === 'file' ? 'warning: a plain file' : ''],
      [
        'Mode',
        data.readOnly ? 'read-only' : 'read-write',
        readOnlyFromEnv(ctx.env) ? 'environment: SAFEWEB_READ_ONLY' : '',
      ],
    ]),
    notes: [
      ...(resolved.overriddenEnv.length
        ? [warn(`--profile overrides ${resolved.overriddenEnv.join(', ')} from the environment.`)]
        : []),
      ...(complete
        ? []
        : [warn('no credentials: run `safeweb login`, or set SAFEWEB_PARTNER_ID and SAFEWEB_API_KEY.')]),
    ],
    failures: complete ? [] : [ExitCode.Auth],
  };
}

const STORES = {
  keyring: 'the OS keychain',
  file: 'the config file',
  env: 'not stored (environment or flag)',
  none: '(no key)',
};

function environmentOf(baseUrl: string): Environment {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'custom';
  }
  if (url.origin === new URL(ENVIRONMENTS.production).origin) return 'production';
  if (url.origin === new URL(ENVIRONMENTS.staging).origin) return 'staging';
  return isLoopbackHost(url.hostname) ? 'local' : 'custom';
}

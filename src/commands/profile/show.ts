import { maskSecret } from '../../api/redact.js';
import { keyStoreOf, plainFileWarning } from '../../config/key-store.js';
import { resolveSettings, type Sourced } from '../../config/resolve.js';
import { configPath } from '../../config/store.js';
import type { Context } from '../../context.js';
import { hint, table, warn, type Note, type Outcome } from '../../outcome.js';
import { SETTING_COLUMNS } from '../setting-columns.js';
import { unknownProfile } from './use.js';

export interface ProfileShowOptions {
  name?: string | undefined;
  revealKey: boolean;
}

export async function runProfileShow(opts: ProfileShowOptions, ctx: Context): Promise<Outcome> {
  const config = await ctx.config();
  if (opts.name && !config.profiles[opts.name]) throw unknownProfile(opts.name, Object.keys(config.profiles));
  const flags = opts.name ? { ...ctx.globals, profile: opts.name } : ctx.globals;
  const settled = resolveSettings(flags, ctx.env, config);
  // The keychain is asked only to reveal the key; otherwise it is enough to know it is there.
  const resolved = opts.revealKey ? await ctx.withKey(settled) : settled;
  const key = resolved.apiKey
    ? {
        ...resolved.apiKey,
        value: opts.revealKey
          ? resolved.apiKey.value
          : resolved.keyring
            ? '(in the keychain)'
            : maskSecret(resolved.apiKey.value),
      }
    : undefined;
  const keyStore = keyStoreOf(resolved);
  const settings: Record<string, Sourced<string> | undefined> = {
    profile: resolved.profile,
    partnerId: resolved.partnerId,
    apiKey: key,
    baseUrl: resolved.baseUrl,
  };
  const labels: Record<string, string> = {
    profile: 'Profile',
    partnerId: 'Partner ID',
    apiKey: 'API key',
    baseUrl: 'Base URL',
  };
  const notes: Note[] = [hint(`Config file: ${configPath(ctx.configDir)}`)];
  if (resolved.overriddenEnv.length)
    notes.push(warn(`--profile overrides ${resolved.overriddenEnv.join(', ')} from the environment.`));
  if (!resolved.apiKey || !resolved.partnerId)
    notes.push(hint('No credentials yet: run `safeweb login` or `safeweb profile add`.'));
  if (keyStore === 'file') notes.push(warn(await plainFileWarning(ctx.env, resolved.profile?.value)));
  const view = table(SETTING_COLUMNS, [
    ...Object.entries(settings).map(([k, s]) => [
      labels[k] ?? k,
      s?.value ?? '(not set)',
      s ? `${s.source}: ${s.origin}` : '',
    ]),
    [
      'Key store',
      keyStore ?? '(no key)',
      keyStore === 'keyring' ? 'the OS keychain; the config file keeps a reference' : '',
    ],
    [
      'Mode',
      resolved.readOnly ? 'read-only' : 'read-write',
      resolved.profile ? `profile "${resolved.profile.value}"` : '',
    ],
    ['Mask PII', resolved.maskPii ? 'yes' : 'no', resolved.profile ? `profile "${resolved.profile.value}"` : ''],
  ]);
  return {
    data: {
      ...settings,
      keyStore,
      readOnly: resolved.readOnly,
      maskPii: resolved.maskPii,
      configFile: configPath(ctx.configDir),
      overriddenEnv: resolved.overriddenEnv,
    },
    view,
    notes,
  };
}

import { maskSecret } from '../../api/redact.js';
import type { Context } from '../../context.js';
import { lines, table, type Outcome } from '../../outcome.js';
import { PROFILE_COLUMNS } from './columns.js';

export interface ProfileListOptions {
  names: boolean;
}

export async function runProfileList(opts: ProfileListOptions, ctx: Context): Promise<Outcome> {
  const config = await ctx.config();
  const entries = Object.entries(config.profiles).sort(([a], [b]) => a.localeCompare(b));
  if (opts.names) {
    // For completion scripts: bare names in every mode (a JSON array of them with --json).
    const names = entries.map(([name]) => name);
    return { data: names, view: lines(...names) };
  }
  const rows = entries.map(([name, p]) => ({
    name,
    active: name === config.activeProfile,
    partnerId: p.partnerId,
    baseUrl: p.baseUrl,
    apiKey: p.keyring ? '(in the keychain)' : maskSecret(p.apiKey),
    store: p.keyring ? ('keyring' as const) : ('file' as const),
    mode: p.readOnly ? ('read-only' as const) : ('read-write' as const),
    maskPii: Boolean(p.maskPii),
  }));
  return {
    data: rows,
    view: table(
      PROFILE_COLUMNS,
      rows.map((r) => [
        r.active ? '*' : '',
        r.name,
        r.partnerId,
        r.baseUrl,
        r.apiKey,
        r.store === 'keyring' ? 'keychain' : 'file',
        r.mode,
        r.maskPii ? 'yes' : 'no',
      ]),
      'No profiles yet. Run `safeweb login`, or `safeweb sandbox start --save-profile` to try the local sandbox.',
    ),
  };
}

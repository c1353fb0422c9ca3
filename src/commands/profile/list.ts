import { maskSecret } from '../../api/redact.js';
import type { Context } from '../../context.js';

export interface ProfileListOptions {
  names: boolean;
}

export async function runProfileList(opts: ProfileListOptions, ctx: Context): Promise<void> {
  const config = await ctx.config();
  const entries = Object.entries(config.profiles).sort(([a], [b]) => a.localeCompare(b));
  if (opts.names) {
    for (const [name] of entries) ctx.out.line(name);
    return;
  }
  const rows = entries.map(([name, p]) => ({
    name,
    active: name === config.activeProfile,
    partnerId: p.partnerId,
    baseUrl: p.baseUrl,
    apiKey: maskSecret(p.apiKey),
  }));
  if (ctx.globals.json) {
    ctx.out.printJson(rows);
    return;
  }
  await ctx.out.printRows(
    [{ header: '' }, { header: 'Name' }, { header: 'Partner ID' }, { header: 'Base URL' }, { header: 'API key' }],
    rows.map((r) => [r.active ? '*' : '', r.name, r.partnerId, r.baseUrl, r.apiKey]),
    'No profiles yet. Run `safeweb login`, or `safeweb sandbox start --save-profile` to try the local sandbox.',
  );
}

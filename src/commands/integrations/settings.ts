/**
 * Where `integrations show|check` read from: the profile's settings file, or with --file the
 * integration settings a manifest carries (manifest/load.ts's `manifestIntegrations`).
 */
import type { Context } from '../../context.js';
import { integrationsFile, readIntegrations, type Integrations } from '../../config/integrations.js';

export interface Source {
  /** The file read: the settings file or the manifest. */
  file: string;
  kind: 'settings' | 'manifest';
  /** False when the settings file does not exist yet (no settings is valid: nothing is configured). */
  exists: boolean;
  settings: Integrations;
}

export async function readSource(opts: { file?: string | undefined }, ctx: Context): Promise<Source> {
  if (opts.file) {
    const [{ loadManifest, manifestIntegrations }, { manifestSizeCap }] = await Promise.all([
      import('../../manifest/load.js'),
      import('../../manifest/parse.js'),
    ]);
    const manifest = await loadManifest({ file: opts.file }, ctx.now(), manifestSizeCap(ctx.env));
    return { file: opts.file, kind: 'manifest', exists: true, settings: manifestIntegrations(manifest) };
  }
  const account = await ctx.account();
  const file = integrationsFile(ctx.configDir, account.profile ?? account.key);
  return { file, kind: 'settings', ...(await readIntegrations(file)) };
}

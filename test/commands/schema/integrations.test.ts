/**
 * `safeweb schema integrations`: prints the committed schema file byte for byte, and loads neither
 * yaml, zod nor the HTTP client.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runInProcess } from '../../helpers/cli.js';
import { staticImportsOf } from '../../helpers/imports.js';

const COMMITTED = path.join(ROOT, 'schema/integrations.schema.json');

describe('safeweb schema integrations', () => {
  it('prints the committed schema file, byte for byte (regenerate it with this command if not)', async () => {
    const r = await runInProcess(['schema', 'integrations']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(COMMITTED, 'utf8'));
    const json = await runInProcess(['schema', 'integrations', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(r.stdout));
  });

  it('is the same psa and notify rules the manifest schema uses', () => {
    const read = (name: string) =>
      JSON.parse(readFileSync(path.join(ROOT, `schema/${name}.schema.json`), 'utf8')) as {
        properties: Record<string, unknown> & {
          customers: { items?: { properties: Record<string, unknown> }; additionalProperties?: unknown };
        };
      };
    const settings = read('integrations');
    const manifest = read('manifest');
    expect(manifest.properties['psa']).toEqual(settings.properties['psa']);
    expect(manifest.properties['notify']).toEqual(settings.properties['notify']);
    const perCustomer = settings.properties.customers.additionalProperties as { properties: Record<string, unknown> };
    expect(manifest.properties.customers.items!.properties['tags']).toEqual(perCustomer.properties['tags']);
    expect(manifest.properties.customers.items!.properties['psa']).toEqual(perCustomer.properties['psa']);
  });

  it('loads neither yaml, zod nor the HTTP client: it is as cheap as --help', () => {
    const reached = staticImportsOf('src/commands/schema/integrations.ts');
    expect(reached).toContain('src/config/integrations-schema.ts');
    const heavy = (f: string) => ['zod', 'zod/mini', 'ky', 'yaml'].includes(f) || f.startsWith('src/api/');
    expect(reached.filter(heavy)).toEqual([]);
  });
});

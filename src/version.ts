import { readFileSync } from 'node:fs';

// Replaced with the package version by the build (scripts/build.js); read from package.json
// when running from source (tests).
declare const __SAFEWEB_VERSION__: string | undefined;

let cached: string | undefined;

/** The package version. */
export function version(): string {
  if (typeof __SAFEWEB_VERSION__ === 'string') return __SAFEWEB_VERSION__;
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
  return cached;
}

export function userAgent(nodeVersion: string): string {
  return `safeweb-cli/${version()} node/${nodeVersion.replace(/^v/, '')}`;
}

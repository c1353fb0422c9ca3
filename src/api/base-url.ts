import { UsageError } from '../errors.js';

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts plain http:// may reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses and checks a base URL. Plain http is refused except to loopback, so an API key never
 * crosses a network in clear text.
 */
export function checkBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid base URL "${raw}"`, 'Give a full URL such as https://connect.safeweb.co.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(
      `base URL must use https:// (got ${url.protocol})`,
      'Give a URL such as https://connect.safeweb.co.',
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `refusing plain http:// to ${url.host}: the API key would travel unencrypted`,
      'Use https://, or http:// only for a local sandbox on 127.0.0.1.',
    );
  }
  if (url.search || url.hash) {
    throw new UsageError(
      `base URL must not carry a query or fragment: ${raw}`,
      'Give only scheme, host and an optional path prefix.',
    );
  }
  return url;
}

/** base + path, keeping any path prefix of the base. */
export function joinUrl(base: URL, path: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(base.href);
  url.pathname = `${prefix}/${path.replace(/^\/+/, '')}`;
  return url;
}

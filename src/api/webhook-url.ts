/**
 * Where SafeWeb may deliver webhooks: https, or plain http to this machine only (a local
 * receiver). One check for the `--url` flag (commands/parse.ts) and a manifest's `webhooks[].url`
 * (manifest/load.ts), so both refuse the same URLs with the same words. Here in api/, beside the
 * base URL's check, because the flag parser loads with every run and webhooks/ is a part of its own.
 */
import { isLoopbackHost } from './base-url.js';

/** The URL normalised as the API stores it, or why it cannot receive deliveries. */
type WebhookUrlCheck = { url: string } | { problem: string };

/** Checks a receiver URL for an endpoint SafeWeb delivers to. */
export function checkWebhookUrl(value: string): WebhookUrlCheck {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return { problem: 'is not a URL; give a full one such as https://hooks.example.com/safeweb.' };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return {
      problem:
        'must be an https:// URL: SafeWeb delivers only over HTTPS (plain http:// is for 127.0.0.1 and localhost).',
    };
  return { url: url.href };
}

/**
 * The credentials check `login` and `profile add` both make before saving a key: shared here, at
 * the commands' root, so neither noun imports the other's verb.
 */
import { getPartnerAnalytics } from '../api/partner.js';
import type { Context } from '../context.js';

/**
 * One real, read-only, authenticated request (partner analytics) with the given credentials.
 * Throws the usual typed errors: 4 when they are rejected, 5 when the API cannot be reached.
 */
export async function verifyCredentials(
  ctx: Context,
  creds: { partnerId: string; apiKey: string; baseUrl: string },
): Promise<void> {
  ctx.out.info(`Checking the credentials against ${creds.baseUrl} …`);
  const api = await ctx.apiFor(creds);
  await getPartnerAnalytics(api);
}

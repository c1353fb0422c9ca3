/**
 * SafeWeb's environments and their base URLs: the default a profile gets (config/resolve.ts), the
 * choice `login` and `profile add` offer, and what counts as production. A table of facts at the
 * bottom of the layers, like exit-codes.ts, so config/ and api/ can both name it without
 * importing each other.
 */
export const ENVIRONMENTS = {
  production: 'https://connect.safeweb.co',
  staging: 'https://staging-connect.safeweb.co',
} as const;

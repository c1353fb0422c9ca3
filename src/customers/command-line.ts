/** The non-interactive command equivalent to a set of onboarding answers. */
import type { OnboardingRequest } from '../api/customers.js';

/** Quotes for POSIX shells only when needed. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const FLAG_OF: Record<string, string> = {
  companyName: '--company-name',
  customerReference: '--reference',
  contactEmail: '--contact-email',
  assetsDomains: '--domain',
  assetsEmails: '--email',
  alertRecipients: '--alert-recipient',
  price: '--price',
  currencyCode: '--currency',
  billedFromDate: '--billed-from',
  planType: '--plan',
  enrolType: '--enrol',
  localeCode: '--locale',
  insuranceActiveFromDate: '--insurance-from',
};

export function onboardCommand(body: OnboardingRequest): string {
  const parts = ['safeweb', 'customer', 'onboard'];
  for (const [key, flag] of Object.entries(FLAG_OF)) {
    const value = body[key];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(flag, shellQuote(String(v)));
  }
  if (body.sendMonthlyReport !== undefined)
    parts.push(body.sendMonthlyReport ? '--monthly-report' : '--no-monthly-report');
  return parts.join(' ');
}

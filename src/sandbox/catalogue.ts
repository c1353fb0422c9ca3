/**
 * The sandbox's breach catalogue: a fixed, deterministic set of breaches in the style of the
 * docs' examples, with categories, dates, descriptions, next steps and titles in the five
 * documented locales.
 */
import { uuidFrom } from './ids.js';

export const LOCALES = ['en-GB', 'da-DK', 'sv-SE', 'nb-NO', 'fi-FI'] as const;
export type Locale = (typeof LOCALES)[number];

export interface CatalogueBreach {
  uuid: string;
  name: string;
  /** English title; localised with `localTitle`. */
  title: string;
  breachDate: string;
  addedDate: string;
  breachCategories: string[];
  description: string;
  nextSteps: string[];
}

export const CATEGORIES: Array<{ name: string; description: string }> = [
  { name: 'Email addresses', description: 'Email addresses were exposed.' },
  { name: 'Passwords', description: 'Passwords were exposed, hashed or in plain text.' },
  { name: 'Password hints', description: 'Hints that help guess a password were exposed.' },
  { name: 'Usernames', description: 'Account usernames were exposed.' },
  { name: 'Names', description: 'People’s names were exposed.' },
  { name: 'Phone numbers', description: 'Phone numbers were exposed.' },
  { name: 'Physical addresses', description: 'Postal or home addresses were exposed.' },
  { name: 'Dates of birth', description: 'Dates of birth were exposed.' },
  { name: 'IP addresses', description: 'IP addresses used to sign in were exposed.' },
  { name: 'Credit cards', description: 'Partial or full payment card data were exposed.' },
  { name: 'Job titles', description: 'Job titles and employers were exposed.' },
  { name: 'Social media profiles', description: 'Links to social media profiles were exposed.' },
];

const STEPS = {
  password: 'Change the password for this service and anywhere it was reused',
  mfa: 'Enable two-factor authentication',
  phishing: 'Be alert to phishing emails that use the leaked details',
  card: 'Check card statements and ask the bank for a new card if in doubt',
  identity: 'Watch for identity fraud using the leaked personal details',
};

type Seed = [name: string, title: string, breachDate: string, categories: string[], summary: string];

// name, title, date, categories, what happened
const SEEDS: Seed[] = [
  [
    'Adobe',
    'Adobe',
    '2013-10-04',
    ['Email addresses', 'Password hints', 'Passwords', 'Usernames'],
    'Customer records including encrypted passwords and password hints were stolen from Adobe',
  ],
  [
    'Adobe-2023',
    'Adobe (2023)',
    '2023-03-14',
    ['Email addresses', 'Names', 'IP addresses'],
    'A misconfigured analytics store at Adobe exposed contact records',
  ],
  [
    'LinkedIn',
    'LinkedIn',
    '2012-05-05',
    ['Email addresses', 'Passwords'],
    'Unsalted password hashes of LinkedIn members were published',
  ],
  [
    'LinkedIn-2024',
    'LinkedIn (2024 scrape)',
    '2024-02-19',
    ['Email addresses', 'Names', 'Job titles', 'Social media profiles'],
    'Profile data scraped from LinkedIn was offered for sale',
  ],
  [
    'Dropbox',
    'Dropbox',
    '2012-07-01',
    ['Email addresses', 'Passwords'],
    'Dropbox account credentials were taken after an employee password was reused',
  ],
  [
    'Canva',
    'Canva',
    '2019-05-24',
    ['Email addresses', 'Names', 'Passwords', 'Usernames'],
    'Attackers copied Canva user records including bcrypt password hashes',
  ],
  [
    'MyFitnessPal',
    'MyFitnessPal',
    '2018-02-01',
    ['Email addresses', 'IP addresses', 'Passwords', 'Usernames'],
    'Account data of the MyFitnessPal app was stolen',
  ],
  [
    'Dubsmash',
    'Dubsmash',
    '2018-12-01',
    ['Email addresses', 'Names', 'Passwords', 'Phone numbers', 'Usernames'],
    'Dubsmash user records were sold on a dark-web marketplace',
  ],
  [
    'Zynga',
    'Zynga',
    '2019-09-01',
    ['Email addresses', 'Passwords', 'Phone numbers', 'Usernames'],
    'Player accounts of Zynga games were accessed',
  ],
  [
    'Twitter-2023',
    'Twitter (2023)',
    '2023-01-04',
    ['Email addresses', 'Names', 'Usernames', 'Social media profiles'],
    'Email addresses linked to Twitter accounts were scraped through an API flaw',
  ],
  [
    'Facebook',
    'Facebook',
    '2021-04-03',
    ['Dates of birth', 'Email addresses', 'Names', 'Phone numbers', 'Physical addresses'],
    'Profile data of Facebook users was scraped and shared on a hacking forum',
  ],
  [
    'Deezer',
    'Deezer',
    '2019-04-22',
    ['Dates of birth', 'Email addresses', 'IP addresses', 'Names', 'Usernames'],
    'A third-party backup of Deezer user data was exposed',
  ],
  [
    'Wattpad',
    'Wattpad',
    '2020-06-29',
    ['Dates of birth', 'Email addresses', 'IP addresses', 'Names', 'Passwords', 'Usernames'],
    'The Wattpad user database was leaked',
  ],
  [
    'Gravatar',
    'Gravatar',
    '2020-10-03',
    ['Email addresses', 'Names', 'Usernames'],
    'Gravatar profile data was scraped through an enumeration flaw',
  ],
  [
    'Bitly',
    'Bitly',
    '2014-05-08',
    ['Email addresses', 'Passwords', 'Usernames'],
    'Bitly account credentials were stolen from an offsite backup',
  ],
  [
    'Trello',
    'Trello',
    '2024-01-16',
    ['Email addresses', 'Names', 'Usernames'],
    'Emails matched to Trello profiles were collected through a public API',
  ],
  [
    'Duolingo',
    'Duolingo',
    '2023-01-24',
    ['Email addresses', 'Names', 'Usernames'],
    'Scraped Duolingo profile data was published',
  ],
  [
    'Ticketek',
    'Ticketek',
    '2024-05-31',
    ['Dates of birth', 'Email addresses', 'Names'],
    'Ticketek customer data was taken from a third-party provider',
  ],
  [
    'Shopify-Ledger',
    'Ledger (Shopify)',
    '2020-06-25',
    ['Email addresses', 'Names', 'Phone numbers', 'Physical addresses'],
    'Customer orders of a hardware wallet shop were leaked',
  ],
  [
    'Exactis',
    'Exactis',
    '2018-06-01',
    ['Email addresses', 'Names', 'Phone numbers', 'Physical addresses', 'Job titles'],
    'A marketing database was left open on the internet',
  ],
  [
    'Collection1',
    'Collection #1',
    '2019-01-07',
    ['Email addresses', 'Passwords'],
    'A large combination list of email addresses and passwords circulated',
  ],
  [
    'Verifications-io',
    'Verifications.io',
    '2019-02-25',
    ['Dates of birth', 'Email addresses', 'IP addresses', 'Names', 'Phone numbers', 'Physical addresses'],
    'An email verification service left its database exposed',
  ],
  [
    'Kayo',
    'Kayo Sports',
    '2020-11-01',
    ['Email addresses', 'Names', 'Credit cards'],
    'Payment details of streaming subscribers were skimmed',
  ],
  [
    'Optus',
    'Optus',
    '2022-09-22',
    ['Dates of birth', 'Email addresses', 'Names', 'Phone numbers', 'Physical addresses'],
    'Customer identity records of the telecom were accessed through an open API',
  ],
  [
    'Medibank',
    'Medibank',
    '2022-10-12',
    ['Dates of birth', 'Email addresses', 'Names', 'Phone numbers', 'Physical addresses'],
    'Health-insurance customer data was stolen and published',
  ],
  [
    'Canva-2024',
    'Canva (2024 phishing kit)',
    '2024-07-09',
    ['Email addresses', 'Passwords'],
    'Credentials captured by a phishing kit imitating Canva were dumped',
  ],
  [
    'Dailymotion',
    'Dailymotion',
    '2016-10-20',
    ['Email addresses', 'Passwords', 'Usernames'],
    'Dailymotion accounts with bcrypt hashes were leaked',
  ],
  [
    'Last.fm',
    'Last.fm',
    '2012-03-22',
    ['Email addresses', 'Passwords', 'Usernames'],
    'Unsalted MD5 password hashes of Last.fm users were published',
  ],
  [
    'Nordic-Travel',
    'Nordic Travel',
    '2021-08-15',
    ['Email addresses', 'Names', 'Phone numbers', 'Credit cards'],
    'Bookings of a Nordic travel agency were exposed by ransomware operators',
  ],
  [
    'Scandi-Webshop',
    'Scandi Webshop',
    '2023-11-02',
    ['Email addresses', 'Names', 'Physical addresses', 'Passwords'],
    'A Scandinavian webshop database was sold on a forum',
  ],
];

function stepsFor(categories: string[]): string[] {
  const steps: string[] = [];
  if (categories.includes('Passwords') || categories.includes('Password hints')) steps.push(STEPS.password, STEPS.mfa);
  if (categories.includes('Credit cards')) steps.push(STEPS.card);
  if (categories.some((c) => ['Dates of birth', 'Physical addresses', 'Phone numbers'].includes(c)))
    steps.push(STEPS.identity);
  steps.push(STEPS.phishing);
  return steps;
}

export const CATALOGUE: CatalogueBreach[] = SEEDS.map(([name, title, date, categories, summary]) => ({
  uuid: uuidFrom(`catalogue:${name}`),
  name,
  title,
  breachDate: `${date}T00:00:00+00:00`,
  addedDate: new Date(Date.parse(`${date}T00:00:00Z`) + 40 * 86_400_000).toISOString(),
  breachCategories: categories,
  description: `${summary}. The exposed data included ${categories.map((c) => c.toLowerCase()).join(', ')}.`,
  nextSteps: stepsFor(categories),
}));

const BREACH_WORD: Record<Locale, string> = {
  'en-GB': '',
  'da-DK': 'Databrud',
  'sv-SE': 'Dataintrång',
  'nb-NO': 'Datainnbrudd',
  'fi-FI': 'Tietomurto',
};

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The title in a locale: "Adobe" in en-GB, "Databrud: Adobe" in da-DK. Unknown locales fall back to en-GB. */
export function localTitle(breach: CatalogueBreach, locale: string | null | undefined): string {
  const word = isLocale(locale ?? '') ? BREACH_WORD[locale as Locale] : '';
  return word ? `${word}: ${breach.title}` : breach.title;
}

export function findBreach(name: string): CatalogueBreach | undefined {
  return CATALOGUE.find((b) => b.name.toLowerCase() === name.toLowerCase());
}

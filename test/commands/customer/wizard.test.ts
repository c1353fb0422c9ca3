import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../../src/customers/fields.js';
import { runInPty, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();
const ENTER = '\r';
/** The wizard's questions, in order, as the field table words them (without their suggestions). */
const PROMPTS = FIELDS.filter((f) => f.ask).map((f) => f.ask!.message.replace(/ \(.*$/, ''));
const DOWN = '\x1b[B';

describe('the onboarding wizard (through a pseudo-terminal)', () => {
  it('asks for each field with validation, summarises, onboards, saves the answers and prints the command', async () => {
    const { dir } = tempDir();
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg') };
    const answers = path.join(dir, 'answers.json');
    const pty = runInPty(['customer', 'onboard'], { env });
    const step = async (prompt: string, keys: string) => {
      await pty.waitFor(prompt);
      pty.write(keys);
    };
    await step('Company name', `Wizard Widgets${ENTER}`);
    await step('Your reference for this customer (WIZARD-WIDGETS)', ENTER);
    await step('Contact email', `it@wizard.example${ENTER}`);
    await step('Domains to monitor', `wizard.example, not a domain${ENTER}`);
    await pty.waitFor('"not" is not a valid domain name');
    pty.write(`\x15wizard.example${ENTER}`);
    await step('Email addresses to monitor', `admin@wizard.example${ENTER}`);
    await step('Alert recipients (comma-separated) (it@wizard.example)', ENTER);
    await step('Plan', `${DOWN}${ENTER}`);
    await step('Price', `-3${ENTER}`);
    await pty.waitFor('A number, 0 or more');
    pty.write(`\x1579${ENTER}`);
    await step('Currency', ENTER);
    // The table's suggestion is offered as the relative form it is.
    await step('Billed from (ISO date-time, or now+5m) (now+5m)', `\x152020-01-01${ENTER}`);
    await pty.waitFor('It must be in the future');
    pty.write(`\x15now+1d${ENTER}`);
    await step('Enrolment', ENTER);
    // Off unless asked for, as with the flags and the API (the field table's default).
    await step('Send monthly security reports? (y/N)', ENTER);
    await step('Locale (en-GB)', ENTER);
    await step('Onboard Wizard Widgets (WIZARD-WIDGETS)?', ENTER);
    await step('Save these answers as a JSON file', `y${ENTER}`);
    await step('File name', `\x15${answers}${ENTER}`);
    expect(await pty.exit).toBe(0);

    const screen = pty.screen();
    expect(screen).toMatch(/│ customerReference\s+│ WIZARD-WIDGETS\s+│/);
    expect(screen).toMatch(/│ billedFromDate\s+│ now\+1d \(\d{4}-\d\d-\d\dT[\d:.]+Z\)\s+│/);
    expect(screen).toContain('✓ Onboarded Wizard Widgets (WIZARD-WIDGETS).');
    expect(screen).toMatch(
      new RegExp(
        "safeweb customer onboard --company-name 'Wizard Widgets' --reference WIZARD-WIDGETS " +
          '--contact-email it@wizard\\.example --domain wizard\\.example',
      ),
    );
    // The command keeps the relative date as typed, and says the reference must change.
    expect(screen).toContain(
      'The same onboarding without the wizard (with a new --reference: each customer needs its own):',
    );
    expect(screen).toMatch(/--price 79 --currency USD --billed-from now\+1d --enrol opt-out --no-monthly-report/);
    expect(screen).toContain(
      `Saved ${answers}. Change customerReference before reusing it: each customer needs its own.`,
    );
    const customer = fx().sandbox.state.customers.find((c) => c.customerReference === 'WIZARD-WIDGETS')!;
    // Sent as the date it meant when it was sent: a day from then.
    expect(Math.abs(Date.parse(customer.billedFromDate) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    expect(customer).toMatchObject({
      planType: 'safeweb-plus',
      price: 79,
      currencyCode: 'USD',
      sendMonthlyReport: false,
      localeCode: 'en-GB',
    });
    // The saved answers are a valid --file.
    const saved = JSON.parse(readFileSync(answers, 'utf8'));
    expect(saved).toMatchObject({
      companyName: 'Wizard Widgets',
      customerReference: 'WIZARD-WIDGETS',
      assetsDomains: ['wizard.example'],
      price: 79,
      billedFromDate: 'now+1d',
    });
    // Currency and locale are remembered for the next run of this profile.
    const config = JSON.parse(readFileSync(path.join(dir, 'cfg', 'config.json'), 'utf8'));
    expect(Object.values(config.preferences)).toEqual([{ currencyCode: 'USD', localeCode: 'en-GB' }]);
  });

  it('Ctrl+C exits 130: nothing sent, nothing saved, the cursor given back', async () => {
    const { dir } = tempDir();
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg') };
    const before = fx().sandbox.state.customers.length;
    const pty = runInPty(['customer', 'onboard'], { env });
    await pty.waitFor('Company name');
    pty.write(`Interrupted Inc${ENTER}`);
    await pty.waitFor('Your reference');
    pty.interrupt();
    expect(await pty.exit).toBe(130);
    expect(fx().sandbox.state.customers.length).toBe(before);
    expect(existsSync(path.join(dir, 'cfg'))).toBe(false);
    const raw = pty.raw();
    expect(raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(raw.lastIndexOf('\x1b[?25l'));
  });

  it('Ctrl+C after the customer was created: exit 0, its ID shown, a note that the answers were not saved', async () => {
    const { dir } = tempDir();
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg') };
    const pty = runInPty(
      [
        'customer',
        'onboard',
        '--interactive',
        '--company-name',
        'Late Stop Ltd',
        '--reference',
        'LATE-STOP',
        '--domain',
        'late.example',
        '--alert-recipient',
        'soc@late.example',
        '--price',
        '5',
        '--currency',
        'USD',
        '--billed-from',
        'now+1d',
      ],
      { env },
    );
    // Every question is suggested by the flags (or the table): Enter takes each one.
    for (const prompt of [...PROMPTS, 'Onboard Late Stop Ltd (LATE-STOP)?']) {
      await pty.waitFor(prompt);
      pty.write(ENTER);
    }
    await pty.waitFor('Save these answers as a JSON file');
    pty.interrupt();
    expect(await pty.exit).toBe(0);
    const customer = fx().sandbox.state.customers.find((c) => c.customerReference === 'LATE-STOP')!;
    expect(customer).toBeDefined();
    const screen = pty.screen();
    expect(screen).toContain(customer.id);
    expect(screen).toContain('✓ Onboarded Late Stop Ltd (LATE-STOP).');
    expect(screen).toContain('the answers were not saved (cancelled)');
    expect(screen).not.toContain('Cancelled.');
  });

  it('declining the summary sends nothing', async () => {
    const before = fx().sandbox.state.customers.length;
    const pty = runInPty(
      ['customer', 'onboard', '--interactive', '--file', path.join(fx().configDir, '../no-file.json')],
      { env: fx().env },
    );
    expect(await pty.exit).toBe(2);
    expect(pty.screen()).toContain('no such file');
    const decline = runInPty(
      [
        'customer',
        'onboard',
        '--company-name',
        'Nope Ltd',
        '--reference',
        'NOPE-1',
        '--domain',
        'nope.example',
        '--alert-recipient',
        'a@nope.example',
        '--price',
        '1',
        '--currency',
        'AUD',
        '--billed-from',
        'now+1d',
      ],
      { env: fx().env },
    );
    // All required fields came from flags, so no wizard runs: this onboards directly.
    expect(await decline.exit).toBe(0);
    const wizard = runInPty(['customer', 'onboard', '--interactive', '--company-name', 'Nope Ltd'], { env: fx().env });
    await wizard.waitFor('Company name (Nope Ltd)');
    wizard.write(ENTER);
    await wizard.waitFor('Your reference');
    // NOPE-1 was just onboarded with flags: the local record knows it, as every path does.
    wizard.write(`NOPE-1${ENTER}`);
    await wizard.waitFor(/NOPE-1 is already in your local record \(onboarded \d{4}-\d\d-\d\d\); choose another\./);
    wizard.write(`\x15NOPE-2${ENTER}`);
    for (const prompt of PROMPTS.slice(2)) {
      await wizard.waitFor(prompt);
      wizard.write(
        prompt.startsWith('Domains')
          ? `nope2.example${ENTER}`
          : prompt.startsWith('Alert recipients')
            ? `a@nope.example${ENTER}`
            : prompt.startsWith('Price')
              ? `5${ENTER}`
              : ENTER,
      );
    }
    await wizard.waitFor('Onboard Nope Ltd (NOPE-2)?');
    wizard.write(`n${ENTER}`);
    expect(await wizard.exit).toBe(130);
    expect(wizard.screen()).toContain('Nothing was sent.');
    expect(fx().sandbox.state.customers.length).toBe(before + 1);
    expect(fx().sandbox.state.customers.some((c) => c.customerReference === 'NOPE-2')).toBe(false);
  });
});

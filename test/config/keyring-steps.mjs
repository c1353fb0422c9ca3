// The keychain round trip, run inside keyring-session.sh (one D-Bus session, one unlocked
// Secret Service): each step runs the built CLI; the results go to stdout as one JSON document
// for test/config/keyring.test.ts to judge.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const { BIN, SAFEWEB_CONFIG_DIR: dir, SANDBOX_URL: url, PARTNER: partner, KEY: key } = process.env;
const { findCredentialsAsync } = await import('@napi-rs/keyring');

function cli(args, input = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: process.env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const config = () => readFileSync(path.join(dir, 'config.json'), 'utf8');
const entries = async () =>
  (await findCredentialsAsync('safeweb-cli')).map((c) => ({ account: c.account, isKey: c.password === key }));

const steps = {};
steps.add = cli(
  ['profile', 'add', 'kr', '--base-url', url, '--partner-id', partner, '--api-key-stdin', '--store', 'keyring'],
  key,
);
steps.configAfterAdd = config();
steps.keychainAfterAdd = await entries();
steps.use = cli(['partner', 'analytics', '--json']);
steps.show = cli(['profile', 'show', '--json']);
steps.whoami = cli(['whoami', '--json']);
steps.doctor = cli(['doctor', '--json']);
steps.toFile = cli(['profile', 'set', 'kr', '--store', 'file']);
steps.configInFile = config();
steps.keychainInFile = await entries();
steps.toKeyring = cli(['profile', 'set', 'kr', '--store', 'keyring']);
steps.configBack = config();
steps.keychainBack = await entries();
steps.remove = cli(['profile', 'remove', 'kr', '--yes']);
steps.keychainAfterRemove = await entries();
// A key kept in the file, where a keychain answers: the keychain is suggested.
steps.addFile = cli(['profile', 'add', 'pf', '--base-url', url, '--partner-id', partner, '--api-key-stdin'], key);
process.stdout.write(JSON.stringify(steps));

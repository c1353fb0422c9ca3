import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../../helpers/cli.js';

// A v1 delivery made here with node:crypto, outside the code under test.
const active = '6a0f2b1c-3d4e-4f5a-8b6c-7d8e9f0a1b2c';
const fallback = '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e';
const xToken = 'c0ffee00-1234-4abc-8def-0123456789ab';
const body =
  '{"idempotencyToken":"8f2c1b0e-aaaa-4bbb-8ccc-dddddddddddd","type":"customer.breach.found","data":{"customer":' +
  '{"uuid":"550e8400-e29b-41d4-a716-446655440000","name":"Acme Ltd","reference":"ACME-001"},"breaches":[]},' +
  '"timestamp":1715601234567}';
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');

function setup() {
  const dir = tempDir().dir;
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const signature = hmac(active, body);
  return {
    activeFile: file('active.secret', `${active}\n`),
    fallbackFile: file('fallback.secret', `${fallback}\n`),
    bodyFile: file('body.json', body),
    headersFile: file(
      'headers.txt',
      `POST /hook HTTP/1.1\r\nContent-Type: application/json\r\nX-Signature: ${signature.toUpperCase()}\r\n` +
        `X-Token: ${xToken}\r\n`,
    ),
    file,
    signature,
  };
}

describe('safeweb webhook verify, v1 deliveries', () => {
  it('recognises v1 from the headers, either hex case, any secret of a rotation, with the answer signature', async () => {
    const s = setup();
    const r = await runInProcess([
      'webhook',
      'verify',
      '--secret-file',
      s.fallbackFile,
      '--secret-file',
      s.activeFile,
      '--headers',
      s.headersFile,
      '--payload',
      s.bodyFile,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      protocol: 'v1',
      secretFile: s.activeFile,
      answerSignature: hmac(active, xToken),
    });
    const people = await runInProcess(
      ['webhook', 'verify', '--secret-file', s.fallbackFile, '--secret-file', s.activeFile, '--headers', s.headersFile],
      { stdin: body },
    );
    expect(people.code).toBe(0);
    expect(people.stderr).toContain(`Valid v1 signature, made with secret 2 (${s.activeFile})`);
    expect(people.stderr).toContain(`X-Signature: ${hmac(active, xToken)}`);
  });

  it('recognises v1 from a bare hex --signature, and sha256=… as the older protocol', async () => {
    const s = setup();
    const v1 = await runInProcess(
      ['webhook', 'verify', '--secret-file', s.activeFile, '--signature', s.signature, '--token', xToken, '--json'],
      { stdin: body },
    );
    expect(v1.code).toBe(0);
    expect(JSON.parse(v1.stdout)).toMatchObject({ valid: true, protocol: 'v1', answerSignature: hmac(active, xToken) });
    const legacy = await runInProcess(
      ['webhook', 'verify', '--secret-file', s.activeFile, '--signature', `sha256=${s.signature}`, '--json'],
      { stdin: body },
    );
    expect(legacy.code).toBe(0);
    expect(JSON.parse(legacy.stdout)).toEqual({ valid: true, secretFile: s.activeFile });
    const mixed = await runInProcess(
      ['webhook', 'verify', '--secret-file', s.activeFile, '--signature', `sha256=${s.signature}`, '--token', xToken],
      { stdin: body },
    );
    expect(mixed.code).toBe(2);
  });

  it('exit 6 with the reason: no match, malformed, missing', async () => {
    const s = setup();
    const verify = (...args: string[]) =>
      runInProcess(['webhook', 'verify', '--secret-file', s.fallbackFile, ...args, '--json'], { stdin: body });
    const nomatch = await verify('--headers', s.headersFile);
    expect(nomatch.code).toBe(6);
    expect(JSON.parse(nomatch.stdout)).toMatchObject({ valid: false, protocol: 'v1', reason: 'mismatch' });
    const malformed = await verify('--signature', s.signature.slice(2), '--token', xToken);
    expect(malformed.code).toBe(6);
    expect(JSON.parse(malformed.stdout)).toMatchObject({ valid: false, protocol: 'v1', reason: 'malformed' });
    const missing = await verify('--headers', s.file('none.txt', 'X-Token: abc\r\n'));
    expect(missing.code).toBe(6);
    expect(JSON.parse(missing.stdout)).toMatchObject({ valid: false, reason: 'missing' });
    expect(JSON.parse(missing.stdout).detail).toContain('X-Signature');
    const tampered = await runInProcess(
      ['webhook', 'verify', '--secret-file', s.activeFile, '--headers', s.headersFile],
      {
        stdin: body.replace('Acme', 'Acne'),
      },
    );
    expect(tampered.code).toBe(6);
    expect(tampered.stderr).toContain('does not match the secret given');
  });
});

/**
 * examples/systemd/safeweb-serve.service (issue 31 item 5): what the unit promises — its own
 * user, a 0700 state directory as SAFEWEB_CONFIG_DIR, secrets through LoadCredential, a read-only
 * system, restart on failure, SIGHUP on reload — and `systemd-analyze verify` finding nothing,
 * where systemd-analyze exists (elsewhere that check is skipped, and says why).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runBinary, tempDir } from '../../helpers/cli.js';

const UNIT = path.join(ROOT, 'examples/systemd/safeweb-serve.service');
const text = fs.readFileSync(UNIT, 'utf8');
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const hasAnalyze = analyze.status === 0;

/** `systemd-analyze verify` of the unit's text: what it said (nothing, for a clean unit). */
function verify(unit: string): { status: number | null; said: string } {
  const { dir, cleanup } = tempDir('systemd-');
  try {
    const file = path.join(dir, 'safeweb-serve.service');
    fs.writeFileSync(file, unit);
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    return { status: r.status, said: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    cleanup();
  }
}

describe('the systemd unit', () => {
  it('runs serve as its own user, with a state directory, credentials and a read-only system', async () => {
    for (const line of [
      'User=safeweb',
      'StateDirectory=safeweb',
      'StateDirectoryMode=0700',
      'Environment=SAFEWEB_CONFIG_DIR=/var/lib/safeweb',
      'LoadCredential=webhook.org:/etc/safeweb/org.secret',
      'ProtectSystem=strict',
      'Restart=on-failure',
      'ExecReload=/bin/kill -HUP $MAINPID',
    ])
      expect(text.split('\n'), line).toContain(line);
    // Every flag its ExecStart gives serve is one serve has.
    const exec = /^ExecStart=.*exec \/usr\/bin\/safeweb serve (.*)'$/m.exec(text)![1]!;
    const help = await runBinary(['serve', '--help']);
    for (const flag of exec.match(/--[a-z-]+/g)!) expect(help.stdout, flag).toContain(flag);
  });

  it.skipIf(!hasAnalyze)(
    `systemd-analyze verify finds nothing to say${hasAnalyze ? '' : ' (skipped: systemd-analyze is not installed here)'}`,
    () => {
      expect(verify(text)).toEqual({ status: 0, said: '' });
      // The check can fail: a unit with a mistake in it is reported.
      expect(verify(text.replace('Type=exec', 'Type=bogus')).said).toContain('Failed to parse service type');
    },
  );
});

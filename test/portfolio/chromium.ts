/**
 * Headless Chromium for the report test (Debian's chromium-headless-shell): a screenshot as
 * pixels and a print to PDF. Started with a fresh profile and everything that would reach the
 * network switched off. `findChromium` is undefined where it is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

const CANDIDATES = ['/usr/bin/chromium-headless-shell', '/usr/lib/chromium/headless_shell', '/usr/bin/chromium'];

export function findChromium(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

function run(binary: string, html: string, extra: string[]): Promise<void> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'safeweb-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    ...extra,
    pathToFileURL(html).href,
  ];
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (error) reject(new Error(`${binary} failed: ${error.message}\n${stderr}`));
      else resolve();
    });
  });
}

export interface Pixels {
  width: number;
  height: number;
  /** RGB triples, row by row. */
  rgb: Buffer;
}

/** Renders `html` at `width`×`height` and decodes the PNG (8-bit RGB or RGBA, not interlaced). */
export async function screenshot(binary: string, html: string, width: number, height: number): Promise<Pixels> {
  const png = `${html}.png`;
  await run(binary, html, ['--hide-scrollbars', `--window-size=${width},${height}`, `--screenshot=${png}`]);
  return decodePng(readFileSync(png));
}

/** Prints `html` to PDF as a browser's "Save as PDF" would; returns the number of pages. */
export async function printedPages(binary: string, html: string): Promise<number> {
  const pdf = `${html}.pdf`;
  await run(binary, html, ['--no-pdf-header-footer', `--print-to-pdf=${pdf}`]);
  const counts = [
    ...readFileSync(pdf)
      .toString('latin1')
      .matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count (\d+)|\/Count (\d+)[^>]*?\/Type\s*\/Pages\b/g),
  ];
  return Math.max(0, ...counts.map((m) => Number(m[1] ?? m[2])));
}

function decodePng(data: Buffer): Pixels {
  if (data.subarray(0, 8).toString('latin1') !== '\x89PNG\r\n\x1a\n') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.subarray(offset + 4, offset + 8).toString('latin1');
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error('unsupported PNG format');
      channels = colour === 2 ? 3 : 4;
    } else if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(width * height * 3);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels]! : 0;
      const b = previous[x]!;
      const c = x >= channels ? previous[x - channels]! : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
      line[x] = (line[x]! + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) line.copy(out, (y * width + x) * 3, x * channels, x * channels + 3);
    previous = line;
  }
  return { width, height, rgb: out };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

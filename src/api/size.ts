/**
 * Sizes as people write them, for --max-response-size and SAFEWEB_MAX_RESPONSE_SIZE: a number of
 * bytes, or with a unit of 1024 (512KiB, 16MiB, 1GiB; k, m, g and kb, mb, gb mean the same).
 */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1 << 20,
  mb: 1 << 20,
  mib: 1 << 20,
  g: 1 << 30,
  gb: 1 << 30,
  gib: 1 << 30,
};

/** The size in bytes (1 KiB to 1 GiB), or why the text is not one. */
export function byteSize(value: string): number | string {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) return 'use a number of bytes, or a size like 512KiB, 16MiB, 1GiB.';
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes < 1024 || bytes > 1 << 30) return 'must be at least 1 KiB and at most 1 GiB.';
  return bytes;
}

/**
 * The portfolio report as one self-contained HTML file: inline CSS and SVG, no scripts, no
 * fonts, nothing fetched (a Content-Security-Policy says so to the browser too). An overview of
 * the book, then a page per customer; laid out for a screen and for print (A4, one customer a
 * page). A report of one customer is that customer's report: its page alone, under a heading
 * that names it. Every text from the API or the record is escaped.
 */
import type { CustomerRead } from './book.js';
import { BANDS, byExposure, summarise, toPortfolioCustomer, type Band, type PortfolioCustomer } from './exposure.js';

export interface ReportInput {
  /** --title; else "Portfolio report", or for one customer, that customer's name. */
  title?: string | undefined;
  /** Dates and numbers are written in it; breach titles came from the API in it. */
  locale: string;
  /** Who the report is from: the profile's display name, else the partner ID (never a host and port). */
  partner: string;
  generatedAt: Date;
  reads: CustomerRead[];
}

const BAND_COLOURS: Record<Band, string> = {
  critical: '#9f1239',
  high: '#dc2626',
  moderate: '#d97706',
  low: '#16a34a',
};

export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2937; background: #f3f4f6; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
section.page { background: #fff; border-radius: 8px; padding: 28px 32px; margin: 0 0 24px;
  box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 24px 0 8px; color: #374151; text-transform: uppercase; letter-spacing: .04em; }
.muted { color: #6b7280; } .small { font-size: 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 20px 0 8px; }
.card { flex: 1 1 150px; border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px 14px; }
.card b { display: block; font-size: 26px; line-height: 1.2; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 12px 28px; }
.grid > div { min-width: 0; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #374151; }
table { width: 100%; border-collapse: collapse; margin: 4px 0 8px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
th { font-size: 12px; color: #6b7280; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.band { display: inline-block; padding: 1px 8px; border-radius: 999px; color: #fff; font-size: 12px; font-weight: 600; }
.status-open { color: #b91c1c; font-weight: 600; } .status-resolved { color: #15803d; }
.score { display: flex; align-items: center; gap: 16px; margin: 16px 0 4px; }
.score b { font-size: 40px; line-height: 1; }
ul.assets { margin: 4px 0; padding-left: 18px; columns: 2 14em; }
ul.assets li { break-inside: avoid; }
/* A domain or address breaks only after a dot or an @ (each <wbr>), never inside a label or at a hyphen. */
.dn { white-space: nowrap; }
ul.steps { margin: 4px 0 0; padding-left: 18px; }
.breach { border-top: 1px solid #e5e7eb; padding: 10px 0; break-inside: avoid; }
.breach p { margin: 4px 0; }
.error { color: #b91c1c; }
a { color: inherit; }
@page { size: A4; margin: 14mm; }
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  section.page { box-shadow: none; border-radius: 0; padding: 0; margin: 0; }
  section.page + section.page { break-before: page; }
  a { text-decoration: none; }
}
@media (max-width: 720px) { .grid { grid-template-columns: 1fr; } }
`;

function band(b: Band | null): string {
  if (!b) return '<span class="muted">—</span>';
  return `<span class="band" style="background:${BAND_COLOURS[b]}">${b}</span>`;
}

/** Horizontal bars, one per label, each with its count at the end. */
function barChart(rows: Array<{ label: string; value: number; colour: string }>, caption: string): string {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const h = 22;
  const labelW = 90;
  const barW = 300;
  const bars = rows
    .map((r, i) => {
      const w = Math.round((r.value / max) * barW);
      const y = i * h;
      return (
        `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(r.label)}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${Math.max(w, r.value ? 2 : 0)}" height="${h - 8}" rx="2" fill="${r.colour}"/>` +
        `<text x="${labelW + w + 6}" y="${y + 15}">${r.value}</text>`
      );
    })
    .join('');
  const height = rows.length * h + 4;
  return `<svg viewBox="0 0 ${labelW + barW + 50} ${height}" width="${labelW + barW + 50}" height="${height}" role="img" aria-label="${escapeHtml(caption)}">${bars}</svg>`;
}

/** Vertical columns with a label under each and the count above. */
function columnChart(rows: Array<{ label: string; value: number; colour: string }>, caption: string): string {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const plotH = 120;
  const colW = Math.max(14, Math.min(40, Math.floor(380 / Math.max(1, rows.length))));
  const width = rows.length * colW + 10;
  const cols = rows
    .map((r, i) => {
      const hgt = Math.round((r.value / max) * plotH);
      const x = 5 + i * colW;
      const y = 14 + plotH - hgt;
      const label = rows.length > 12 && i % 2 ? '' : escapeHtml(r.label);
      return (
        `<rect x="${x + 2}" y="${y}" width="${colW - 4}" height="${Math.max(hgt, r.value ? 2 : 0)}" rx="2" fill="${r.colour}"/>` +
        (r.value ? `<text x="${x + colW / 2}" y="${y - 3}" text-anchor="middle">${r.value}</text>` : '') +
        `<text x="${x + colW / 2}" y="${plotH + 28}" text-anchor="middle">${label}</text>`
      );
    })
    .join('');
  const height = plotH + 34;
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(caption)}"><line x1="5" y1="${plotH + 14}" x2="${width - 5}" y2="${plotH + 14}" stroke="#d1d5db"/>${cols}</svg>`;
}

function scoreHistogram(customers: PortfolioCustomer[]): string {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i === 9 ? 97 : i * 10 + 9, value: 0 }));
  for (const c of customers) if (c.threatScore !== null) bins[Math.min(9, Math.floor(c.threatScore / 10))]!.value++;
  const colour = (from: number) =>
    BAND_COLOURS[from < 25 ? 'low' : from < 50 ? 'moderate' : from < 75 ? 'high' : 'critical'];
  return columnChart(
    bins.map((b) => ({ label: `${b.from}–${b.to}`, value: b.value, colour: colour(b.from) })),
    'Customers by threat score',
  );
}

function breachesByYear(reads: CustomerRead[]): string {
  const years = new Map<number, number>();
  for (const r of reads)
    for (const b of r.snapshot?.breaches ?? []) {
      const year = Number(b.breachDate.slice(0, 4));
      if (Number.isInteger(year) && year > 1990) years.set(year, (years.get(year) ?? 0) + 1);
    }
  if (years.size === 0) return '<p class="muted">No breaches found.</p>';
  const first = Math.min(...years.keys());
  const last = Math.max(...years.keys());
  const rows = [];
  for (let y = first; y <= last; y++) rows.push({ label: String(y), value: years.get(y) ?? 0, colour: '#4f46e5' });
  return columnChart(rows, 'Breaches by breach date');
}

/**
 * A domain name or an e-mail address, escaped, that a line may break only after a dot or an @:
 * each label is kept whole (a browser would break `northwind-regional-logistics` at its hyphens).
 */
export function assetName(name: string): string {
  return name
    .split(/(?<=[.@])/)
    .map((label) => `<span class="dn">${escapeHtml(label)}</span>`)
    .join('<wbr>');
}

function anchor(c: { reference: string }): string {
  return `c-${c.reference.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function overview(input: ReportInput, customers: PortfolioCustomer[], fmt: Formatters): string {
  const s = summarise(customers);
  const top = customers.filter((c) => c.threatScore !== null).slice(0, 10);
  const failed = customers.filter((c) => c.error);
  const card = (label: string, value: number) =>
    `<div class="card"><span class="muted">${label}</span><b>${fmt.number(value)}</b></div>`;
  const bandRows = BANDS.map((b) => ({ label: b, value: s.byBand[b], colour: BAND_COLOURS[b] }));
  const topRows = top
    .map(
      (c) =>
        `<tr><td><a href="#${anchor(c)}">${escapeHtml(c.companyName || c.reference)}</a> <span class="muted small">${escapeHtml(c.reference)}</span></td>` +
        `<td class="num">${c.threatScore}</td><td>${band(c.band)}</td><td class="num">${c.unresolvedBreaches}</td>` +
        `<td class="num">${c.monitoredDomains! + c.monitoredEmails!}</td></tr>`,
    )
    .join('');
  return `<section class="page" id="overview">
<h1>${escapeHtml(input.title ?? 'Portfolio report')}</h1>
${byline(input, fmt)}
<div class="cards">${card('Customers', s.customers)}${card('Unresolved breaches', s.unresolvedBreaches)}${card('Resolved breaches', s.resolvedBreaches)}${card('Critical or high', s.byBand.critical + s.byBand.high)}</div>
<div class="grid">
<div><h3>Customers by threat band</h3>${barChart(bandRows, 'Customers by threat band')}</div>
<div><h3>Threat scores</h3>${scoreHistogram(customers)}</div>
</div>
<h3>Breaches over time (by breach date)</h3>${breachesByYear(input.reads)}
<h3>Most exposed customers</h3>
${top.length ? `<table><thead><tr><th>Customer</th><th class="num">Score</th><th>Band</th><th class="num">Unresolved</th><th class="num">Assets</th></tr></thead><tbody>${topRows}</tbody></table>` : '<p class="muted">No customer could be read.</p>'}
${failed.length ? `<h3>Not read</h3><ul>${failed.map((c) => `<li><b>${escapeHtml(c.reference)}</b>: <span class="error">${escapeHtml(c.error!.message)}</span></li>`).join('')}</ul>` : ''}
</section>`;
}

/** Who the report is from, and when. */
function byline(input: ReportInput, fmt: Formatters): string {
  return `<p class="muted">${escapeHtml(input.partner)} · ${escapeHtml(fmt.dateTime(input.generatedAt))}</p>`;
}

/**
 * A customer's page. `alone`: the report is this customer's, so the page is the whole report,
 * headed by the title (by default the customer's name) and who it is from.
 */
function customerPage(read: CustomerRead, fmt: Formatters, alone?: ReportInput): string {
  const c = toPortfolioCustomer(read);
  const s = read.snapshot!;
  const list = (items: string[]) =>
    items.length
      ? `<ul class="assets">${items.map((i) => `<li>${assetName(i)}</li>`).join('')}</ul>`
      : '<p class="muted">None.</p>';
  const name = c.companyName || c.reference;
  const heading = alone
    ? `<h1>${escapeHtml(alone.title ?? name)}</h1>
${alone.title === undefined ? '' : `<h2>${escapeHtml(name)}</h2>\n`}${byline(alone, fmt)}`
    : `<h2>${escapeHtml(name)}</h2>`;
  const breaches = [...s.breaches].sort(
    (a, b) => Number(a.resolved) - Number(b.resolved) || b.breachDate.localeCompare(a.breachDate),
  );
  const items = breaches
    .map(
      (
        b,
      ) => `<div class="breach"><p><b>${escapeHtml(b.title || b.breachName)}</b> · ${escapeHtml(fmt.date(b.breachDate))} · ${
        b.resolved ? '<span class="status-resolved">resolved</span>' : '<span class="status-open">not resolved</span>'
      }</p>
${b.generatedDescription ? `<p>${escapeHtml(b.generatedDescription)}</p>` : ''}
<p class="small"><span class="muted">Data exposed:</span> ${escapeHtml(b.breachCategories.join(', ') || '—')}</p>
<p class="small"><span class="muted">Addresses:</span> ${b.emails.map(assetName).join(', ') || '—'}</p>
${b.nextSteps?.length && !b.resolved ? `<p class="small muted">Next steps</p><ul class="steps">${b.nextSteps.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}</div>`,
    )
    .join('');
  return `<section class="page" id="${anchor(c)}">
${heading}
<p class="muted">${escapeHtml(c.reference)} · ${escapeHtml(c.customerId)}</p>
<div class="score"><b>${c.threatScore}</b><div>${band(c.band)}<div class="muted small">threat score, 0 to 97</div></div>
${scoreBar(c.threatScore ?? 0)}</div>
<p>${fmt.number(c.unresolvedBreaches ?? 0)} unresolved and ${fmt.number(c.resolvedBreaches ?? 0)} resolved breaches.</p>
<div class="grid"><div><h3>Monitored domains</h3>${list(s.domains)}</div><div><h3>Monitored emails</h3>${list(s.emails)}</div></div>
<h3>Breaches</h3>${items || '<p class="muted">No breaches found for the monitored assets.</p>'}
</section>`;
}

/** The score on the 0–97 scale, over the four bands' colours. */
function scoreBar(score: number): string {
  const w = 300;
  const x = (n: number) => Math.round((n / 97) * w);
  const segments = [
    [0, 25, 'low'],
    [25, 50, 'moderate'],
    [50, 75, 'high'],
    [75, 97, 'critical'],
  ] as const;
  const rects = segments
    .map(
      ([from, to, b]) =>
        `<rect x="${x(from)}" y="8" width="${x(to) - x(from)}" height="10" fill="${BAND_COLOURS[b]}" opacity="0.35"/>`,
    )
    .join('');
  const marker = `<rect x="${Math.max(0, x(score) - 2)}" y="2" width="4" height="22" rx="1" fill="#111827"/>`;
  return `<svg viewBox="0 0 ${w} 26" width="${w}" height="26" role="img" aria-label="score ${score} of 97">${rects}${marker}</svg>`;
}

interface Formatters {
  number(n: number): string;
  date(iso: string): string;
  dateTime(d: Date): string;
}

function formatters(locale: string): Formatters {
  const number = new Intl.NumberFormat(locale);
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  return {
    number: (n) => number.format(n),
    date: (iso) => {
      const t = Date.parse(iso);
      return Number.isNaN(t) ? iso : date.format(t);
    },
    dateTime: (d) => `${dateTime.format(d)} UTC`,
  };
}

export function renderReport(input: ReportInput): string {
  const fmt = formatters(input.locale);
  const customers = input.reads.map(toPortfolioCustomer).sort(byExposure);
  const order = new Map(customers.map((c, i) => [c.reference, i]));
  const read = input.reads.filter((r) => r.snapshot);
  // One customer asked for and read: that customer's report, without the book's overview.
  const alone = input.reads.length === 1 && read.length === 1;
  const pages = alone
    ? customerPage(read[0]!, fmt, input)
    : read
        .sort((a, b) => order.get(a.entry.reference)! - order.get(b.entry.reference)!)
        .map((r) => customerPage(r, fmt))
        .join('\n');
  const title = input.title ?? (alone ? read[0]!.entry.companyName || read[0]!.entry.reference : 'Portfolio report');
  return `<!doctype html>
<html lang="${escapeHtml(input.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="safeweb">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${alone ? '' : overview(input, customers, fmt)}
${pages}
</main>
</body>
</html>
`;
}

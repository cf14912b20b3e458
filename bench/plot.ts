// Draws recall@k against read units per query (log scale) as a standalone SVG.
import type { Summary } from './summary';

const COLOURS: Record<string, string> = { whiplash: '#1f77b4', original: '#d62728', exact: '#2ca02c', hnsw: '#9467bd', model: '#17becf', 'original-model': '#ff7f0e' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * recall@k against read units per query (log scale) as a standalone SVG: one point per system
 * row, the sweep points of Whiplash (measured, and its cost model) joined by a line. HNSW reads no
 * DynamoDB (0 units, off a log axis): its reference setting is a labelled horizontal line at its recall.
 */
export function recallCostSvg(title: string, systems: readonly Summary[], k = 10): string {
  const W = 720;
  const H = 440;
  const m = { l: 70, r: 30, t: 40, b: 60 };
  const pts = systems.filter((s) => s.readUnits > 0 && Number.isFinite(s.recall));
  const xs = pts.map((s) => Math.log10(s.readUnits));
  const lo = Math.floor(Math.min(...xs, 1));
  const hi = Math.ceil(Math.max(...xs, 2));
  const x = (ru: number) => m.l + ((Math.log10(ru) - lo) / (hi - lo)) * (W - m.l - m.r);
  const y = (r: number) => H - m.b - r * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (let e = lo; e <= hi; e++) {
    const px = x(10 ** e);
    const pxs = px.toFixed(1);
    out.push(`<line x1="${pxs}" y1="${m.t}" x2="${pxs}" y2="${H - m.b}" stroke="#ddd"/>`, `<text x="${pxs}" y="${H - m.b + 18}" text-anchor="middle">${(10 ** e).toLocaleString('en-US')}</text>`);
  }
  for (let r = 0; r <= 10; r += 2) {
    const py = y(r / 10);
    out.push(`<line x1="${m.l}" y1="${py}" x2="${W - m.r}" y2="${py}" stroke="#ddd"/>`, `<text x="${m.l - 8}" y="${py + 4}" text-anchor="end">${(r / 10).toFixed(1)}</text>`);
  }
  out.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 16}" text-anchor="middle">read capacity units per query (log scale)</text>`,
    `<text x="18" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(m.t + H - m.b) / 2})">recall@${k}</text>`,
  );
  const swept = ['whiplash', 'model'];
  const isSweepPoint = (s: Summary) => swept.includes(s.system) && Object.keys((s.settings.overrides as object | undefined) ?? {}).length > 0;
  for (const system of swept) {
    const sweep = pts.filter((s) => s.system === system);
    if (sweep.length < 2) continue;
    const sorted = [...sweep].sort((a, b) => a.readUnits - b.readUnits);
    const first = sorted[0];
    const dash = system === 'model' ? ' stroke-dasharray="5 3"' : '';
    out.push(`<polyline fill="none" stroke="${COLOURS[system]}" stroke-width="1.5"${dash} points="${sorted.map((s) => `${x(s.readUnits).toFixed(1)},${y(s.recall).toFixed(1)}`).join(' ')}"/>`);
    out.push(`<text x="${x(first.readUnits).toFixed(1)}" y="${(y(first.recall) + (system === 'model' ? 34 : 20)).toFixed(1)}" fill="${COLOURS[system]}">${system === 'model' ? 'whiplash (model)' : 'whiplash'} sweep (per-query overrides; see the table)</text>`);
  }
  const hnsw = systems.find((s) => s.system === 'hnsw' && Number.isFinite(s.recall) && !(s.settings.overrides as object | undefined));
  if (hnsw) {
    const py = y(hnsw.recall).toFixed(1);
    out.push(
      `<line x1="${m.l}" y1="${py}" x2="${W - m.r}" y2="${py}" stroke="${COLOURS.hnsw}" stroke-width="1.5" stroke-dasharray="2 3"><title>${esc(hnsw.label)}: recall ${hnsw.recall.toFixed(3)}, no DynamoDB reads</title></line>`,
      `<text x="${m.l + 6}" y="${(Number(py) - 6).toFixed(1)}" fill="${COLOURS.hnsw}">${esc(hnsw.label)}: recall ${hnsw.recall.toFixed(3)}, 0 read units (in memory)</text>`,
    );
  }
  for (const s of pts) {
    const c = COLOURS[s.system] ?? '#555';
    const px = x(s.readUnits);
    const py = y(s.recall);
    // Sweep points are many and close: a dot with a tooltip; the table names them.
    out.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="${isSweepPoint(s) ? 3 : 5}" fill="${c}"><title>${esc(s.label)}: recall ${s.recall.toFixed(3)}, ${s.readUnits.toFixed(1)} read units</title></circle>`);
    if (isSweepPoint(s)) continue;
    const anchor = px > W - 200 ? 'end' : 'start';
    out.push(`<text x="${(px + (anchor === 'end' ? -8 : 8)).toFixed(1)}" y="${(py - 8).toFixed(1)}" text-anchor="${anchor}" fill="${c}">${esc(s.label)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// How the benchmark's reports write a query shape's probes: per table, and one more in the first `extraProbes` tables.

/** A query shape's probes in a table cell: "5", or "3+6" (3 per table, one more in the first 6). */
export function probesCell(shape: { probes: number; extraProbes: number }): string {
  return shape.extraProbes > 0 ? `${shape.probes}+${shape.extraProbes}` : String(shape.probes);
}

/** A query shape's probes in words: "5 probes per table", or "3 probes per table, 4 in the first 6" (tables). */
export function probesText(shape: { probes: number; extraProbes: number }): string {
  const per = `${shape.probes} probes per table`;
  return shape.extraProbes > 0 ? `${per}, ${shape.probes + 1} in the first ${shape.extraProbes}` : per;
}

// Monthly bills of the priced systems for whole workloads (vectors kept, queries a month), and who is cheapest.
/**
 * Monthly bills for workloads of a collection size and a query rate, from each system's dollars at
 * that size (bench/cost/table.ts). Pure. The initial ingest is shown once, apart from the steady
 * month (storage + queries); a plan's monthly minimum is applied to the month's usage.
 */
import type { SystemCost } from './model';

/** A workload: vectors kept and queries a month. */
export interface Workload {
  readonly vectors: number;
  readonly queriesPerMonth: number;
}

/** The workloads of issue #17: 100k vectors and 10k queries a month; 1M and 1M; 10M and 10M. */
export const WORKLOADS: readonly Workload[] = [
  { vectors: 100_000, queriesPerMonth: 10_000 },
  { vectors: 1_000_000, queriesPerMonth: 1_000_000 },
  { vectors: 10_000_000, queriesPerMonth: 10_000_000 },
];

/**
 * Parses `vectors:queries,vectors:queries` (e.g. `100000:10000,1000000:1000000`).
 * @throws RangeError when a pair is not two positive numbers
 */
export function parseWorkloads(text: string): Workload[] {
  return text.split(',').map((pair) => {
    const [v, q] = pair.split(':').map(Number);
    if (!(v > 0) || !(q > 0)) throw new RangeError(`a workload is vectors:queries, both positive (got "${pair}")`);
    return { vectors: v, queriesPerMonth: q };
  });
}

/** One system's bill for one workload, USD. */
export interface MonthlyBill {
  /** Writing the workload's vectors once (not a monthly charge). */
  readonly ingest: number;
  /** A steady month: storage + queries, or the plan's minimum if that is more. */
  readonly month: number;
  /** The high end of `month` when the query price is a range. */
  readonly monthHigh?: number;
  /** True when the plan's minimum, not the usage, sets `month` (at the low end). */
  readonly minimumApplies: boolean;
}

/** `system`'s bill for `w`: ingest = vectors x $ per vector written; month = max(minimum, storage + queries x $ per query). */
export function monthlyBill(system: SystemCost, w: Workload): MonthlyBill {
  const usage = (perMillion: number) => system.storagePerMonth + (w.queriesPerMonth / 1e6) * perMillion;
  const min = system.monthlyMinimum ?? 0;
  const low = usage(system.perMillionQueries);
  return {
    ingest: (w.vectors / 1e6) * system.perMillionWrites,
    month: Math.max(min, low),
    monthHigh: system.perMillionQueriesHigh === undefined ? undefined : Math.max(min, usage(system.perMillionQueriesHigh)),
    minimumApplies: min > low,
  };
}

/** A system's bill as the verdict compares it. */
export interface RankedBill {
  readonly system: string;
  readonly label: string;
  readonly bill: MonthlyBill;
  /** Set when the system cannot serve the workload (e.g. a query over API Gateway's timeout). */
  readonly fails?: string;
}

/** Where a system stands for one workload: who is cheapest, and the system's place among the point-priced systems that can serve it. */
export interface Standing {
  /** Point-priced systems that serve the workload, cheapest steady month first. */
  readonly order: RankedBill[];
  /** 1-based place of `system` in `order` (undefined when it fails or is priced as a range). */
  readonly place?: number;
  /** Range-priced systems, with whether the range lies wholly below, wholly above, or across `system`'s month. */
  readonly ranges: { bill: RankedBill; relation: 'below' | 'above' | 'across' }[];
}

/** Ranks `bills` by steady month; ranges are compared with `system`'s month, not ranked. */
export function standing(bills: readonly RankedBill[], system: string): Standing {
  const order = bills.filter((b) => !b.fails && b.bill.monthHigh === undefined).sort((a, b) => a.bill.month - b.bill.month);
  const mine = order.findIndex((b) => b.system === system);
  const ref = order[mine]?.bill.month;
  const ranges = bills
    .filter((b) => !b.fails && b.bill.monthHigh !== undefined)
    .map((b) => ({
      bill: b,
      relation: (ref === undefined ? 'across' : b.bill.monthHigh! < ref ? 'below' : b.bill.month > ref ? 'above' : 'across') as 'below' | 'above' | 'across',
    }));
  return { order, place: mine >= 0 ? mine + 1 : undefined, ranges };
}

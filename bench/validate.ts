// Compares a cost model's run with the measured run of the same system, query by query.
import { mean } from './recall';
import { QueryRecord, SystemRun } from './summary';

/** The model of a system beside its measured run, query by query (same queries, same order). */
export interface Validation {
  /** e.g. `whiplash (defaults)` against `whiplash (model)`. */
  readonly measured: string;
  readonly model: string;
  readonly queries: number;
  /** Mean read units per query DynamoDB Local reported. */
  readonly measuredReadUnits: number;
  /** Mean read units per query the model predicts as DynamoDB Local counts them (an empty read: 0). */
  readonly modelReadUnits: number;
  /** Mean read units per query the model predicts as DynamoDB bills them (an empty read: half a unit). */
  readonly modelBilledReadUnits: number;
  /** (model - measured) / measured, of the means. */
  readonly relativeDifference: number;
  /** Queries whose read units the model predicted exactly. */
  readonly exactQueries: number;
  /** Queries whose candidates and result ids the model predicted exactly. */
  readonly sameResults: number;
  readonly measuredCandidates: number;
  readonly modelCandidates: number;
  readonly measuredRecall?: number;
  readonly modelRecall?: number;
}

type ModelRecord = QueryRecord & { emptyReads?: number; missingBuckets?: number };

/** Read units as DynamoDB Local reports them: it bills an empty Query, or a BatchGetItem key with no item, nothing. */
export function localUnits(r: ModelRecord): number {
  return r.readUnits - ((r.emptyReads ?? 0) + (r.missingBuckets ?? 0)) / 2;
}

/**
 * Pairs a measured run with the model's run of the same system, record by record (both list the
 * same queries in the same order, per seed for the original layout).
 * @throws Error when the runs have different numbers of records
 */
export function validate(measured: SystemRun, model: SystemRun, recall?: { measured: number; model: number }): Validation {
  if (measured.queries.length !== model.queries.length) {
    throw new Error(`${measured.label} has ${measured.queries.length} records, ${model.label} ${model.queries.length}: they must run the same queries`);
  }
  const pairs = measured.queries.map((m, i) => ({ m, x: model.queries[i] as ModelRecord }));
  const measuredRu = mean(pairs.map((p) => p.m.readUnits));
  const modelRu = mean(pairs.map((p) => localUnits(p.x)));
  return {
    measured: measured.label,
    model: model.label,
    queries: pairs.length,
    measuredReadUnits: measuredRu,
    modelReadUnits: modelRu,
    modelBilledReadUnits: mean(pairs.map((p) => p.x.readUnits)),
    relativeDifference: measuredRu > 0 ? (modelRu - measuredRu) / measuredRu : NaN,
    exactQueries: pairs.filter((p) => Math.abs(localUnits(p.x) - p.m.readUnits) < 1e-9).length,
    sameResults: pairs.filter((p) => p.x.candidates === p.m.candidates && p.x.ids.join() === p.m.ids.join()).length,
    measuredCandidates: mean(pairs.map((p) => p.m.candidates)),
    modelCandidates: mean(pairs.map((p) => p.x.candidates)),
    measuredRecall: recall?.measured,
    modelRecall: recall?.model,
  };
}

/** One measured number in `npm run bench`. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /**
   * The number to beat, in `unit`. Only ratios measured in the same run (and sizes, counts and peak
   * memory, which do not depend on the neighbours' load) carry one: absolute times are context.
   */
  target?: number;
  /** `max`: value must be at most target; `min`: at least target. */
  targetKind?: 'max' | 'min';
  note?: string;
}

/** A bench module: runs its measurements and returns rows. */
export type BenchModule = () => Promise<BenchRow[]>;

/** One measured number in `npm run bench`. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The number to beat, in `unit`. */
  target?: number;
  /** `max`: value must be at most target; `min`: at least target. */
  targetKind?: 'max' | 'min';
  note?: string;
}

/** A bench module: runs its measurements and returns rows. */
export type BenchModule = () => Promise<BenchRow[]>;

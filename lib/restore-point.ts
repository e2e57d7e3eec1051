/**
 * The moment of a source's history a point-in-time restore restores, and the checks every restore time owes
 * at synth: a valid date, not in the future.
 */
import { invalidProp } from './private/prop-checks';

/** The moment of the source cluster's history to restore. */
export class RestorePoint {
  /** The source's latest restorable time (usually within the last five minutes). */
  public static latest(): RestorePoint {
    return new RestorePoint(undefined);
  }

  /**
   * A moment in UTC, which must lie between the source's earliest and latest restorable times.
   * The restorable window is checked against the live account before the restore starts.
   */
  public static at(time: Date): RestorePoint {
    return new RestorePoint(time);
  }

  /**
   * The moment to restore.
   * @default - the latest restorable time
   */
  public readonly time?: Date;

  private constructor(time: Date | undefined) {
    this.time = time;
  }

  /** True when this is the latest restorable time rather than a fixed moment. */
  public get isLatest(): boolean {
    return this.time === undefined;
  }
}

/** Refuses a restore time that is no time, or lies in the future: data cannot come from a moment that has not happened. */
export function checkRestoreTime(prop: string, time: Date, rule: string): void {
  if (Number.isNaN(time.getTime())) invalidProp(prop, String(time), 'the date is not a valid time');
  if (time.getTime() > Date.now()) invalidProp(prop, time.toISOString(), rule);
}

import { randomPointWithin } from '../lambda/cluster/drill';
import { drillMetricData, drillReport } from '../lambda/shared/drill-report';
import type { DrillState } from '../lambda/shared/drill-run';
import type { DrillConfig } from '../lib/private/contracts/drill';

const config = { DrillName: 'Nightly-ab12', DrillPath: 'S/Orders/Nightly', StackName: 'S', RecoveryTimeObjectiveSeconds: 1800, RecoveryPointObjectiveSeconds: 300 } as DrillConfig;
const T0 = Date.parse('2026-12-08T02:00:00Z');

function state(change: Partial<DrillState>): DrillState {
  return { Config: config, Execution: 'arn:exec', StateMachine: 'arn:sm', StartedAt: T0, PointTime: T0 - 120_000, RestoredId: 'drill-x', ...change };
}

describe('a drill run\'s report', () => {
  test('measures the recovery time to the validation\'s end and the restored point\'s age at the start, against the objectives', () => {
    const report = drillReport(state({ ValidatedAt: T0 + 1200_000, Verdict: { passed: true, message: '' }, Deleted: ['drill-x'] }), {}, T0 + 1300_000);
    expect(report).toMatchObject({ outcome: 'succeeded', recoveryTimeSeconds: 1200, recoveryPointAgeSeconds: 120, objectives: { met: true }, leftBehind: [] });
    const slow = drillReport(state({ ValidatedAt: T0 + 1801_000 }), {}, T0 + 1900_000);
    expect(slow.objectives.met).toBe(false);
    const stale = drillReport(state({ ValidatedAt: T0 + 60_000, PointTime: T0 - 301_000 }), {}, T0 + 90_000);
    expect(stale.objectives.met).toBe(false);
    expect(drillMetricData(config, slow, new Date(T0)).find((m) => m.MetricName === 'DrillObjectiveMissed')?.Value).toBe(1);
  });

  test('a failed run is no success whatever it measured, and names what it could not delete', () => {
    const report = drillReport(state({ Parts: ['drill-x-1'], Deleted: ['drill-x-1'], Failure: 'the validation failed: empty' }), {}, T0);
    expect(report).toMatchObject({ outcome: 'failed', reason: 'the validation failed: empty', leftBehind: ['drill-x'] });
    const figures = Object.fromEntries(drillMetricData(config, report, new Date(T0)).map((m) => [m.MetricName, m.Value]));
    expect(figures).toMatchObject({ DrillSucceeded: 0, DrillFailed: 1 });
    expect(figures.DrillRecoveryTime).toBeUndefined();
  });
});

describe('a random restore point', () => {
  test('lies in whole seconds within the last window of the restorable window, never before its start', () => {
    const earliest = T0 - 3600_000 + 57; // not a whole second: rounding down would fall outside it
    for (const r of [0, 0.5, 0.999999]) {
      const point = randomPointWithin(earliest, T0 + 400, 7200, () => r)!;
      expect(point % 1000).toBe(0);
      expect(point).toBeGreaterThanOrEqual(earliest);
      expect(point).toBeLessThanOrEqual(T0 + 400);
    }
    expect(randomPointWithin(undefined, T0, 600, () => 0)).toBe(T0 - 600_000);
    expect(randomPointWithin(T0 + 1, T0 + 999, 600, () => 0.5)).toBeUndefined();
  });
});

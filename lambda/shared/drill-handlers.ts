/**
 * The drill functions of a stack: one step of a drill's run, and the sweep of what runs left behind. Each kind's
 * restore is driven through its own handler, found as the provider's functions find it.
 */
import { awsDrillReporter, publishSinceSuccess } from './drill-report';
import { drillStep, DrillState, DrillTarget, runningOthers } from './drill-run';
import { errorText } from './errors';
import { log } from './log';
import { RestoreKindHandler } from './types';
import type { SweepConfig } from '../../lib/private/contracts/drill';

/** Deletes what expired drill runs of one sort left (clusters and their instances); answers what it deleted. */
export type DrillSweeper = (config: SweepConfig, now: number) => Promise<string[]>;

export interface DrillHandlers {
  /** One step of a drill's run, as its state machine invokes it. */
  drill(state: DrillState): Promise<DrillState>;
  /** Deletes what expired drill runs left, and tells how long ago each drill last succeeded; answers both. */
  sweepDrills(config: SweepConfig): Promise<{ deleted: string[]; secondsSinceSuccess: Record<string, number> }>;
}

export function drillHandlers(
  handlers: readonly RestoreKindHandler[], targets: readonly DrillTarget[], sweepers: readonly DrillSweeper[],
): DrillHandlers {
  const byType = <T>(list: readonly T[], typeOf: (item: T) => string, what: string) => {
    const map = new Map(list.map((item) => [typeOf(item), item]));
    return (resourceType: string): T => {
      const found = map.get(resourceType);
      if (!found) throw new Error(`No ${what} for resource type ${resourceType}; known types: ${[...map.keys()].join(', ')}`);
      return found;
    };
  };
  const kindOf = byType(handlers, (h) => h.kind.resourceType, 'restore handler');
  const targetOf = byType(targets, (t) => t.resourceType, 'drill');
  return {
    async drill(state) {
      log('drill step', { Drill: state.Config?.DrillName, Execution: state.Execution, Phase: state.phase ?? 'begin', RestoredId: state.RestoredId, Error: state.error?.Error });
      return drillStep(state, { now: Date.now, kindOf, targetOf, runningOthers, report: awsDrillReporter(Date.now) });
    },
    async sweepDrills(config) {
      // The heartbeat first: a sweep that fails must not make the drills look stale.
      const secondsSinceSuccess = await publishSinceSuccess(config, Date.now());
      const deleted: string[] = [];
      for (const sweep of sweepers) {
        try {
          deleted.push(...await sweep(config, Date.now()));
        } catch (error) {
          log(`A sweep failed (${errorText(error)}); the next hour's tries again`);
        }
      }
      log(`Swept ${deleted.length ? deleted.join(', ') : 'nothing'}`);
      return { deleted, secondsSinceSuccess };
    },
  };
}

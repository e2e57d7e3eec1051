/**
 * A rehearsal's drills: one run of each drill of the stack, once the stack is created, played as its schedule starts
 * it; its report printed, and a run that fails, or leaves anything behind, failing its drill.
 */
import type { ExecutionPlayer } from './executions';
import type { DrillReport } from '../lambda/shared/drill-report';

/** A drill run's report as the rehearsal prints it: what happened, how long it took, the verdict, what was deleted. */
export function drillReportInWords(report: DrillReport): string[] {
  const seconds = (value: number | undefined) => (value === undefined ? 'not measured' : `${value}s`);
  const objectives = report.objectives.met === undefined ? 'no objective given' : report.objectives.met ? 'objectives met' : 'an objective MISSED';
  return [
    `${report.outcome.toUpperCase()}${report.reason ? `: ${report.reason}` : ''}`,
    `restored ${report.restorePoint ?? 'nothing'}${report.restoredId ? ` as ${report.restoredId}` : ''}`,
    `recovery time ${seconds(report.recoveryTimeSeconds)}, recovery point age ${seconds(report.recoveryPointAgeSeconds)} (${objectives})`,
    `validation: ${report.validation ? `${report.validation.passed ? 'passed' : 'failed'}${report.validation.message ? ` (${report.validation.message})` : ''}` : 'none'}`,
    `deleted: ${report.deleted.length ? report.deleted.join(', ') : 'nothing'}; left behind: ${report.leftBehind.length ? report.leftBehind.join(', ') : 'nothing'}`,
  ];
}

/** Plays one run of each drill; answers their reports. `clusters` lists what the emulator still holds. */
export async function playDrills(
  executions: ExecutionPlayer, print: (line: string) => void, fail: (id: string, message: string) => void, clusters: () => Promise<string[]>,
): Promise<DrillReport[]> {
  const reports: DrillReport[] = [];
  const machines = executions.drillMachines();
  if (!machines.length) print('DRILL: the stack declares no drill');
  for (const id of machines) {
    print(`DRILL ${id}: one run, as its schedule starts it`);
    try {
      const report = await executions.playDrill(id);
      reports.push(report);
      for (const line of drillReportInWords(report)) print(`    ${line}`);
      const left = [...report.leftBehind, ...(await clusters()).filter((c) => report.restoredId && c.startsWith(report.restoredId))];
      if (report.outcome !== 'succeeded') fail(id, `${id}: the drill run ${report.outcome}: ${report.reason ?? 'no reason given'}`);
      else if (left.length) fail(id, `${id}: the drill run left ${[...new Set(left)].join(', ')} behind`);
    } catch (error) {
      fail(id, `${id}: the drill run could not be played: ${(error as Error).message}`);
    }
  }
  return reports;
}

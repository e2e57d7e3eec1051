/**
 * The handler bundle of the stack's shared provider: every kind's handler, from the registry (`kinds.ts`),
 * selected by the custom resource's type, so adding a construct adds no Lambda function; and the drill functions,
 * which drive the same handlers outside CloudFormation.
 */
import { pointInTimeDrill, s3ImportDrill, sweepClusters } from './cluster/drill';
import { elasticCopyDrill, sweepElasticSnapshots } from './copied-elastic-snapshot/drill';
import * as kinds from './kinds';
import { drillHandlers } from './shared/drill-handlers';
import { restoreHandlers } from './shared/handlers';

export const { onEvent, isComplete, poll } = restoreHandlers(Object.values(kinds));
// The kinds that have drills, and what sweeps what their runs leave.
export const { drill, sweepDrills } = drillHandlers(Object.values(kinds), [pointInTimeDrill, s3ImportDrill, elasticCopyDrill], [
  sweepClusters, sweepElasticSnapshots,
]);

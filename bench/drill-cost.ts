import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { drillReport } from '../lambda/shared/drill-report';
import { DrillDependencies, drillStep, DrillState, DrillTarget } from '../lambda/shared/drill-run';
import type { PollResult, RestoreKindHandler } from '../lambda/shared/types';
import { ClusterEngine, DrillSchedule, PointInTimeRestoredCluster, RestoreValidation } from '../lib';
import { resolveValue } from '../rehearse/intrinsics';
import { playDefinition } from '../rehearse/state-machine-player';

/**
 * What one drill run of a point-in-time restore costs: the synthesized state machine played to its end (each state
 * entered is a Step Functions standard transition; each RunStep a Lambda invocation), its step function the real
 * drillStep, on a clock that moves by each Wait state's seconds. The restore takes 30 minutes and its writer 10;
 * the service calls are counted as the cluster handler makes them (one DescribeDBClusters per look, and the calls
 * at start, configuration and delete, listed below), since no emulator makes a restore take 30 minutes.
 * Run: npx ts-node --project test/tsconfig.json bench/drill-cost.ts
 */
const RESTORE_MINUTES = 30;
const WRITER_MINUTES = 10;
const DELETE_MINUTES = 8;

function synthesizedDefinition(): any {
  const stack = new Stack(new App(), 'Bench', { env: { account: '123456789012', region: 'us-east-1' } });
  const check = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({passed:true})') });
  const orders = new PointInTimeRestoredCluster(stack, 'Orders', {
    engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'orders-prod', validation: RestoreValidation.fromFunction(check),
  });
  orders.addDrill('Daily', { schedule: DrillSchedule.daily() });
  const template = Template.fromStack(stack).toJSON();
  const machine = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::StepFunctions::StateMachine' && /^CdkRestoreDrill-/.test(r.Properties.StateMachineName));
  const ctx = {
    mappings: {},
    conditions: {},
    region: 'us-east-1',
    ref: (name: string) => ({ 'AWS::Partition': 'aws', 'AWS::StackName': 'Bench', 'AWS::StackId': 'arn:stack', 'AWS::URLSuffix': 'amazonaws.com' } as Record<string, string>)[name] ?? name,
    getAtt: (id: string) => `arn:aws:lambda:us-east-1:123456789012:function:${id}`,
  };
  return JSON.parse(String(resolveValue(machine.Properties.DefinitionString, ctx)));
}

async function main(): Promise<void> {
  const definition = synthesizedDefinition();
  let now = Date.parse('2026-12-08T03:00:00Z');
  const calls = new Map<string, number>();
  const call = (name: string, n = 1) => calls.set(name, (calls.get(name) ?? 0) + n);
  let restoreStart = 0;
  let writerStart = 0;
  let deleteStart = 0;
  const kind = {
    async onEvent() {
      // Pre-flight (the source), the name's owner check, then the restore.
      call('DescribeDBClusters', 2);
      call('RestoreDBClusterToPointInTime');
      restoreStart = now;
      return { PhysicalResourceId: 'drill' };
    },
    async poll(event: any): Promise<PollResult> {
      call('DescribeDBClusters');
      if (event.RequestType === 'Delete') {
        if (!deleteStart) {
          call('ListTagsForResource');
          call('DeleteDBCluster');
          deleteStart = now;
        }
        return now - deleteStart >= DELETE_MINUTES * 60_000 ? { done: true, status: 'deleted' } : { done: false, status: 'deleting' };
      }
      if (now - restoreStart < RESTORE_MINUTES * 60_000) return { done: false, status: 'creating' };
      // Once available: its tags, the settings the restore call does not take, the configured and restored marks.
      call('ListTagsForResource');
      call('ModifyDBCluster');
      call('AddTagsToResource', 2);
      return { done: true, status: 'available' };
    },
    async describe() {
      call('DescribeDBClusters');
      return { DBClusterIdentifier: 'drill' };
    },
  } as unknown as RestoreKindHandler;
  const target: DrillTarget = {
    resourceType: 'Custom::PointInTimeRestoredCluster',
    async prepare() {
      call('DescribeDBClusters');
      return { properties: {}, restorePoint: 'orders-prod at its latest restorable time', pointTime: now - 300_000, latestTime: now - 300_000 };
    },
    async addParts() {
      call('DescribeDBInstances');
      if (!writerStart) {
        call('CreateDBInstance');
        writerStart = now;
      }
      return { done: now - writerStart >= WRITER_MINUTES * 60_000, status: 'creating', parts: ['drill-1'] };
    },
    async removeParts() {
      call('DescribeDBInstances');
      call('DeleteDBInstance');
      return { done: true, status: 'gone' };
    },
    async expire() { /* never reached in a run that succeeds */ },
    locate: async () => undefined,
  };
  let invocations = 0;
  const deps: DrillDependencies = {
    now: () => now,
    kindOf: () => kind,
    targetOf: () => target,
    runningOthers: async () => { call('ListExecutions'); return []; },
    report: async (state, how) => {
      call('PutObject', state.Verdict ? 3 : 2);
      call('PutEvents');
      call('PutMetricData');
      return drillReport(state, how, now);
    },
  };
  let validations = 0;
  const start = now;
  const played = await playDefinition(definition, {}, {
    runFunction: async (_arn, input) => {
      invocations++;
      return drillStep(input as DrillState, deps);
    },
    invoke: async () => {
      validations++;
      return { Payload: { passed: true, message: 'ok' } };
    },
  }, {
    maxPauseMs: 0,
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:bench:1' }, StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench' } },
    onState: (state) => { if (state.type === 'Wait') now += (state.waitSeconds ?? 0) * 1000; },
  });
  const report = (played.output as DrillState).Report!;
  const apiCalls = [...calls.values()].reduce((a, b) => a + b, 0);
  console.log(`One drill run of a ${RESTORE_MINUTES}-minute point-in-time restore (writer ${WRITER_MINUTES} min, delete ${DELETE_MINUTES} min), played on a simulated clock:`);
  console.log(`  outcome ${report.outcome}, recovery time ${report.recoveryTimeSeconds}s, run length ${Math.round((now - start) / 60_000)} min`);
  console.log(`  Step Functions state transitions: ${played.states.length}`);
  console.log(`  Lambda invocations: ${invocations} drill steps + ${validations} validator`);
  console.log(`  service API calls: ${apiCalls} (${[...calls].map(([name, n]) => `${name} ${n}`).join(', ')})`);
  // us-east-1 list prices, December 2026: Step Functions standard $0.025 per 1,000 transitions; Lambda $0.20 per
  // million requests and $0.0000166667 per GB-second (256 MB, about 1 s a step); EventBridge Scheduler $1 per
  // million invocations; CloudWatch $0.30 per custom metric-month and $0.10 per standard alarm-month.
  const perRun = played.states.length * 0.025 / 1000 + (invocations + validations) * (0.2 / 1e6 + 0.25 * 1 * 0.0000166667);
  const daily = 30 * perRun + 24 * 30 * (0.2 / 1e6 + 0.25 * 1 * 0.0000166667) + 7 * 0.30 + 3 * 0.10;
  console.log(`  orchestration per run: $${perRun.toFixed(4)}; a daily drill per month, orchestration, sweep, 7 metrics and 3 alarms: $${daily.toFixed(2)}`);
  console.log('  the restored cluster\'s own hours (restore, writer, validation, hold) come on top, at the instance class\'s price');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

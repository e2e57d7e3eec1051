import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  BackupResourceType, BackupRestoreJob, ClusterEngine, PointInTimeRestoredCluster, PointInTimeRestoredClusterProps, RestoreMetadata, RestorePoint,
} from '../lib';
import { pickStack, readStacks } from '../rehearse/assembly';
import { main, plan } from '../rehearse/cli';
import { planInWords, planUpdate, readDeployed } from '../rehearse/plan';

/**
 * The plan of an update, from two synthesized assemblies of one app: the deployed one and the next. Nothing
 * here is deployed or rehearsed; the plan reads templates, decided by the handler's own rules.
 */
type Build = (stack: Stack) => void;

function synth(build: Build): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
  const app = new App({ outdir });
  build(new Stack(app, 'Planned', { env: { account: '123456789012', region: 'us-east-1' } }));
  app.synth();
  return outdir;
}

const T1 = new Date('2026-11-30T10:00:00Z');
const T2 = new Date('2026-11-30T11:30:00Z');

/** An Aurora restore in a VPC, with the security group named by `sg` (one of two the stack holds). */
function orders(sg: 'A' | 'B', props: Partial<PointInTimeRestoredClusterProps> = {}, id = 'Orders'): Build {
  return (stack) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const groups = { A: new ec2.SecurityGroup(stack, 'SgA', { vpc }), B: new ec2.SecurityGroup(stack, 'SgB', { vpc }) };
    new PointInTimeRestoredCluster(stack, id, {
      engine: ClusterEngine.AURORA_POSTGRESQL,
      sourceClusterIdentifier: 'orders-prod',
      restorePoint: RestorePoint.at(T1),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [groups[sg]],
      instances: 1,
      ...props,
    });
  };
}

function planOf(deployed: Build, next: Build) {
  const [before, after] = [synth(deployed), synth(next)];
  return { plans: planUpdate(readDeployed(before, 'Planned'), pickStack(readStacks(after), 'Planned')), before, after };
}

describe('the plan of an update', () => {
  test('the same synth twice: unchanged', () => {
    const { plans } = planOf(orders('A'), orders('A'));
    expect(plans.map((p) => [p.id, p.verdict])).toEqual([[expect.stringMatching(/^OrdersRestore/), 'unchanged']]);
    expect(planInWords(plans).at(-1)).toBe('Plan: 1 restore(s): 1 unchanged, 0 changed in place, 0 restored anew, 0 refused, 0 added, 0 removed.');
  });

  test('another security group: changed in place, no restore input changes', () => {
    const { plans } = planOf(orders('A'), orders('B'));
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ verdict: 'in place', inPlace: ['VpcSecurityGroupIds'], inputs: [] });
    expect(planInWords(plans)).toContain('    changed in place: VpcSecurityGroupIds');
  });

  test('another restore point: refused, naming the input, both values and restoreGeneration', () => {
    const { plans } = planOf(orders('A'), orders('A', { restorePoint: RestorePoint.at(T2) }));
    expect(plans[0].verdict).toBe('refused');
    expect(plans[0].inputs).toEqual([{ property: 'RestoreToTime', from: T1.toISOString(), to: T2.toISOString() }]);
    const words = planInWords(plans).join('\n');
    expect(words).toContain(`restore input RestoreToTime: "${T1.toISOString()}" -> "${T2.toISOString()}"`);
    expect(words).toMatch(/the deploy fails: This Update changes restore inputs .*give restoreGeneration a new value/);
  });

  test('another restore point with a new restoreGeneration: a new restore, and the in-place settings that change with it', () => {
    const { plans } = planOf(orders('A'), orders('B', { restorePoint: RestorePoint.at(T2), restoreGeneration: 1 }));
    expect(plans[0]).toMatchObject({ verdict: 'new restore', inPlace: ['VpcSecurityGroupIds'] });
    expect(plans[0].inputs.map((c) => c.property)).toEqual(['RestoreGeneration', 'RestoreToTime']);
    expect(plans[0].reason).toMatch(/removes the old one by its removal policy/);
  });

  test('a construct id that changes: the restore is removed and another added, and the plan says it may be a move', () => {
    const { plans } = planOf(orders('A'), orders('A', {}, 'OrdersDb'));
    expect(plans.map((p) => p.verdict).sort()).toEqual(['added', 'removed']);
    expect(plans.find((p) => p.verdict === 'removed')!.reason).toMatch(/under another logical id: if it is this one moved.*keep the old id/);
  });

  test('a restore input from a parameter is decided at deploy: a changed default is no change, a literal that becomes a parameter is', () => {
    const withParameter = (source: string, port?: number): Build => (stack) => {
      const p = new CfnParameter(stack, 'SourceCluster', { type: 'String', default: source });
      // A number with no default: the templates cannot tell it, and the plan does not guess.
      const portParameter = port === undefined ? undefined : new CfnParameter(stack, 'GraphPort', { type: 'Number' });
      new PointInTimeRestoredCluster(stack, 'Graph', {
        engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: p.valueAsString, clusterIdentifier: 'graph-copy', port: portParameter?.valueAsNumber,
      });
    };
    const literal: Build = (stack) => {
      new PointInTimeRestoredCluster(stack, 'Graph', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'graph-prod', clusterIdentifier: 'graph-copy' });
    };
    // cdk deploy keeps a parameter's previous value unless another is passed: only the deploy knows it.
    const defaultChanged = planOf(withParameter('graph-prod'), withParameter('graph-staging')).plans;
    expect(defaultChanged[0]).toMatchObject({
      verdict: 'unchanged', inputs: [], decidedAtDeploy: [{ property: 'SourceDBClusterIdentifier', parameters: ['SourceCluster'], resources: [] }],
    });
    expect(planInWords(defaultChanged).join('\n')).toMatch(/decided at deploy: restore input SourceDBClusterIdentifier comes from parameter SourceCluster/);
    const becameParameter = planOf(literal, withParameter('graph-staging')).plans;
    expect(becameParameter[0]).toMatchObject({ verdict: 'refused', inputs: [{ property: 'SourceDBClusterIdentifier', from: 'graph-prod', to: 'graph-staging' }] });
    const unknownPort = planOf(withParameter('graph-prod', 1), withParameter('graph-prod', 1)).plans;
    expect(unknownPort[0]).toMatchObject({ verdict: 'unreadable', reason: 'Property Port must be a whole number' });
  });

  test('a restore input from another resource is decided at deploy: its replacement changes it', () => {
    const chained: Build = (stack) => {
      const first = new PointInTimeRestoredCluster(stack, 'Graph', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'graph-prod' });
      new PointInTimeRestoredCluster(stack, 'Copy', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: first.clusterIdentifier });
    };
    const { plans } = planOf(chained, chained);
    const copy = plans.find((p) => p.id.startsWith('CopyRestore'))!;
    expect(copy.verdict).toBe('unchanged');
    expect(copy.decidedAtDeploy).toEqual([{ property: 'SourceDBClusterIdentifier', parameters: [], resources: [expect.stringMatching(/^GraphRestoreAttributes/)] }]);
  });

  test('a new restoreGeneration under a clusterIdentifier that stays: refused, the old cluster holds the name', () => {
    const named = (generation?: number): Build => (stack) => {
      new PointInTimeRestoredCluster(stack, 'Graph', {
        engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'graph-prod', clusterIdentifier: 'graph-copy', restoreGeneration: generation,
      });
    };
    const { plans } = planOf(named(), named(1));
    expect(plans[0]).toMatchObject({ verdict: 'refused', reason: expect.stringMatching(/"graph-copy", which the one restored before holds.*give DBClusterIdentifier a new value/) });
  });

  test('a restore whose type changes under its logical id: refused, as CloudFormation refuses the whole update', () => {
    const graph: Build = (stack) => {
      new PointInTimeRestoredCluster(stack, 'Graph', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'graph-prod' });
    };
    const before = synth(graph);
    // The same logical id, another type: written into the template, as no construct of the library makes it.
    const after = synth(graph);
    const file = path.join(after, 'Planned.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const id = Object.keys(template.Resources).find((k) => template.Resources[k].Type === 'Custom::PointInTimeRestoredCluster')!;
    template.Resources[id].Type = 'Custom::S3ImportedAuroraCluster';
    fs.writeFileSync(file, JSON.stringify(template));
    const plans = planUpdate(readDeployed(before, 'Planned'), pickStack(readStacks(after), 'Planned'));
    expect(plans.find((p) => p.id === id)).toMatchObject({ verdict: 'refused', reason: expect.stringMatching(/type changes from Custom::PointInTimeRestoredCluster.*new logical id/) });
  });

  test('a sensitive input is named, its values are not shown', () => {
    const job = (fileSystemId: string): Build => (stack) => {
      new BackupRestoreJob(stack, 'RestoreFs', {
        recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B',
        resourceType: BackupResourceType.EFS,
        metadata: RestoreMetadata.efs({ fileSystemId, newFileSystem: false }),
      });
    };
    const { plans } = planOf(job('fs-11111111'), job('fs-22222222'));
    expect(plans[0].verdict).toBe('refused');
    const words = planInWords(plans).join('\n');
    expect(words).toContain('restore input Metadata: (not shown: sensitive) -> (not shown: sensitive)');
    expect(words).not.toContain('fs-2222');
  });

  test('the deployed stack as get-template prints it, and the command\'s exit code: 1 when the deploy would fail', () => {
    const before = synth(orders('A'));
    const template = fs.readFileSync(path.join(before, 'Planned.template.json'), 'utf8');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deployed-')), 'deployed.json');
    fs.writeFileSync(file, JSON.stringify({ TemplateBody: template, StagesAvailable: ['Original', 'Processed'] }));
    const lines: string[] = [];
    expect(plan({ app: synth(orders('B')), planFrom: file }, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/Plan: 1 restore\(s\): 0 unchanged, 1 changed in place, 0 restored anew, 0 refused/);
    expect(plan({ app: synth(orders('A', { restorePoint: RestorePoint.at(T2) })), planFrom: before }, () => undefined)).toBe(1);
  });

  test('a deployed assembly of another stack is not compared: its restores have another owner', () => {
    const before = synth(orders('A'));
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const app = new App({ outdir: other });
    orders('A')(new Stack(app, 'Elsewhere', { env: { account: '123456789012', region: 'us-east-1' } }));
    app.synth();
    expect(() => plan({ app: before, planFrom: other }, () => undefined)).toThrow(/No stack named Planned in the assembly; it has Elsewhere/);
  });

  test('--plan-from through main: a file that is no template says so', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deployed-')), 'not.json');
    fs.writeFileSync(file, '{"Outputs": {}}');
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m) => { errors.push(String(m)); });
    try {
      expect(await main(['--app', synth(orders('A')), '--plan-from', file])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/not a CloudFormation template in JSON \(it has no Resources\)/);
  });
});

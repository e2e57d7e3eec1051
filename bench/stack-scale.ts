import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterEngine, PointInTimeRestoredCluster } from '../lib';

/**
 * Figures of a stack as its restores grow: synth time, template size, the handler role's IAM statements and
 * managed policies, and CloudFormation resources, for 1, 10, 50 and 100 point-in-time restores, each from a
 * source of its own. Three layouts: every restore in a subnet group and security group of its own (what `vpc`
 * gives) with one instance; all of them in one subnet group and security group the app gives, with one instance
 * and with none. aws-cdk-lib's own refusal of more than 500 resources is lifted, to count past it.
 * Run: npx ts-node --project test/tsconfig.json bench/stack-scale.ts
 */
const LAYOUTS = {
  'network per restore, one instance': { sharedNetwork: false, instances: 1 },
  'shared network, one instance': { sharedNetwork: true, instances: 1 },
  'shared network, no instances': { sharedNetwork: true, instances: 0 },
} as const;
type Layout = keyof typeof LAYOUTS;

interface Figures {
  readonly restores: number;
  readonly synthMs: number;
  readonly templateKb: number;
  readonly statements: number;
  readonly managedPolicies: number;
  readonly resources: number;
}

function measure(restores: number, layout: Layout): Figures {
  const started = performance.now();
  // aws-cdk-lib refuses a stack of more than 500 resources at synth; lifted here to count them.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const { sharedNetwork, instances } = LAYOUTS[layout];
  const network = sharedNetwork
    ? { subnetGroupName: 'restores', securityGroups: [new ec2.SecurityGroup(stack, 'Restores', { vpc })] }
    : { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } };
  for (let i = 0; i < restores; i++) {
    new PointInTimeRestoredCluster(stack, `Copy${i}`, { engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: `orders-${i}`, instances, ...network });
  }
  const text = JSON.stringify(app.synth().getStackByName('Restores').template);
  const synthMs = performance.now() - started;
  const resources: Record<string, { Type: string; Properties?: any }> = JSON.parse(text).Resources;
  const handlerRole = Object.keys(resources).find((id) => id.startsWith('CdkRestoreConstructsProviderHandlerRole') && resources[id].Type === 'AWS::IAM::Role')!;
  const namesRole = (roles: Array<{ Ref?: string }> = []) => roles.some((r) => r.Ref === handlerRole);
  const policies = Object.values(resources).filter((r) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) && namesRole(r.Properties?.Roles));
  return {
    restores,
    synthMs,
    templateKb: text.length / 1024,
    statements: policies.reduce((n, p) => n + p.Properties.PolicyDocument.Statement.length, 0),
    managedPolicies: policies.filter((p) => p.Type === 'AWS::IAM::ManagedPolicy').length + (resources[handlerRole].Properties?.ManagedPolicyArns?.length ?? 0),
    resources: Object.keys(resources).length,
  };
}

const LIMIT = 500;
// A first synth loads aws-cdk-lib's modules; it is not a figure.
measure(1, 'shared network, no instances');
for (const layout of Object.keys(LAYOUTS) as Layout[]) {
  console.log(`\n${layout}`);
  console.log('restores | synth (s) | template (KiB) | handler IAM statements | managed policies | CloudFormation resources');
  const rows = [1, 10, 50, 100].map((restores) => measure(restores, layout));
  for (const f of rows) {
    console.log([
      String(f.restores).padStart(8), (f.synthMs / 1000).toFixed(2).padStart(9), f.templateKb.toFixed(0).padStart(14),
      String(f.statements).padStart(22), String(f.managedPolicies).padStart(16),
      `${f.resources}${f.resources > LIMIT ? ' (over 500)' : ''}`.padStart(24),
    ].join(' | '));
  }
  const perRestore = (rows[3].resources - rows[2].resources) / 50;
  const base = rows[0].resources - perRestore;
  console.log(`${perRestore} resources per restore, ${base} besides (the app's VPC and the library's shared handler); `
    + `one stack holds ${Math.floor((LIMIT - base) / perRestore)} such restores`);
}
console.log(`\nCloudFormation holds ${LIMIT} resources in a stack; aws-cdk-lib refuses more at synth, and the library warns from 450.`);

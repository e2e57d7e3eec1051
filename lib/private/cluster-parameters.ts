/**
 * The `parameters` shortcut of the cluster kinds: a DB cluster parameter group made in the app, of the family
 * of the cluster's engine version, as aws-rds's DatabaseCluster makes one from its own `parameters`.
 */
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as neptune from 'aws-cdk-lib/aws-neptune';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { ClusterEngineName } from './contracts/cluster';
import { groupNameOf, invalidProp } from './prop-checks';

/**
 * The parameter group family of an engine version, as RDS and Neptune name them: aurora-mysql8.0 (of
 * 8.0.mysql_aurora.3.x), aurora-postgresql16 (9.6 before 10), neptune1.3 (neptune1 before 1.2).
 */
export function parameterGroupFamily(engine: ClusterEngineName, version: string): string {
  const [first, second] = version.split('.');
  switch (engine) {
    case 'aurora-mysql': return `aurora-mysql${first}.${second}`;
    case 'aurora-postgresql': return `aurora-postgresql${Number(first) >= 10 ? first : `${first}.${second}`}`;
    case 'neptune': return Number(first) === 1 && Number(second) < 2 ? 'neptune1' : `neptune${first}.${second}`;
  }
}

/** The props that name a cluster's parameter group, or make one. */
export interface ClusterParameterProps {
  readonly parameterGroup?: rds.IParameterGroup;
  readonly clusterParameterGroupName?: string;
  readonly parameters?: { [key: string]: string };
}

/**
 * The name of the cluster's parameter group: the one given, or one made in `scope` from `parameters`, of the
 * family of `version` (the construct's engineVersion). A family change (a major upgrade) makes a new group.
 */
export function clusterParameterGroupName(
  scope: Construct, engine: ClusterEngineName, props: ClusterParameterProps, version: string | undefined, removalPolicy: RemovalPolicy,
): string | undefined {
  const given = groupNameOf('parameterGroup', props.parameterGroup?.bindToCluster({}).parameterGroupName, 'clusterParameterGroupName', props.clusterParameterGroupName);
  const parameters = props.parameters;
  if (parameters === undefined) return given;
  if (given !== undefined) {
    invalidProp('parameters', parameters, `${props.parameterGroup ? 'parameterGroup' : 'clusterParameterGroupName'} is given too; give one of them (parameters makes a parameter group)`);
  }
  if (version === undefined || Token.isUnresolved(version)) {
    invalidProp('parameters', parameters, 'the parameter group it makes is of the engine version\'s family, so it needs engineVersion as a literal '
      + '(the source\'s version, or the one to upgrade to); or give parameterGroup instead');
  }
  const family = parameterGroupFamily(engine, version);
  const description = `Cluster parameters of ${scope.node.path}`;
  // A cluster kept by its removal policy keeps its group: RDS refuses to delete a group in use.
  if (engine === 'neptune') {
    const group = new neptune.CfnDBClusterParameterGroup(scope, 'ParameterGroup', { family, description, parameters });
    group.applyRemovalPolicy(removalPolicy);
    return group.ref;
  }
  const major = family.slice(engine.length);
  const clusterEngine = engine === 'aurora-mysql'
    ? rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.of(version, major) })
    : rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.of(version, major) });
  return new rds.ParameterGroup(scope, 'ParameterGroup', { engine: clusterEngine, description, parameters, removalPolicy }).bindToCluster({}).parameterGroupName;
}

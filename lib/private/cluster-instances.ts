/**
 * The DB instances of a restored cluster, created by CloudFormation once the restore is done: either
 * aws-cdk-lib's own `rds.IClusterInstance`s (Aurora), or the `instances` shorthand of native instances.
 */
import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as neptune from 'aws-cdk-lib/aws-neptune';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { NeptuneClusterInstance } from '../neptune-cluster-instance';
import type { RestoredClusterOptions } from '../restored-cluster-options';
import { ClusterEngineName } from './contracts/cluster';
import { suppressNag } from './nag';

/** The instances as the construct exposes them, writer first. */
export interface ClusterInstances {
  readonly identifiers: string[];
  /** Endpoint addresses; Aurora only (Neptune's CloudFormation instance has them too, but no view takes them). */
  readonly endpointAddresses: string[];
  readonly hasServerless: boolean;
}

const SERVERLESS = 'serverless';

/** Enhanced Monitoring's role, as aws-rds makes it when none is given. */
function monitoringRole(scope: Construct, props: RestoredClusterOptions): iam.IRole | undefined {
  if (!props.monitoringInterval) return undefined;
  if (props.monitoringRole) return props.monitoringRole;
  return serviceRole(scope, 'MonitoringRole', ['monitoring.rds.amazonaws.com'], 'AmazonRDSEnhancedMonitoringRole', 'Enhanced Monitoring', 'monitoringRole');
}

/**
 * A role a service assumes, with the AWS managed policy RDS documents for a feature, as aws-rds makes it when none
 * is given; cdk-nag's finding on the managed policy is accepted, and the prop that gives another role said.
 */
export function serviceRole(scope: Construct, id: string, services: string[], policy: string, feature: string, prop: string): iam.IRole {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.CompositePrincipal(...services.map((service) => new iam.ServicePrincipal(service))),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${policy}`)],
  });
  suppressNag(role, [{
    id: 'AwsSolutions-IAM4',
    reason: `${policy} is the policy RDS documents for ${feature}, and what aws-rds gives its clusters; give ${prop} for another`,
    appliesTo: [`Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}`],
  }]);
  return role;
}

/** The shorthand: `instances` alike instances of `instanceType`, the first the writer. */
function shorthandInstances(scope: Construct, engine: ClusterEngineName, clusterIdentifier: string, props: RestoredClusterOptions,
  removalPolicy: RemovalPolicy, role: iam.IRole | undefined): ClusterInstances {
  const type = (props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)).toString();
  const instanceClass = `db.${type}`;
  const instances: CfnResource[] = [];
  const endpointAddresses: string[] = [];
  let writer: CfnResource | undefined;
  for (let i = 1; i <= (props.instances ?? 1); i++) {
    let instance: CfnResource;
    if (engine === 'neptune') {
      // Neptune's own default, said explicitly: cdk-nag (AwsSolutions-N2) reads the template.
      instance = new neptune.CfnDBInstance(scope, `Instance${i}`, { dbClusterIdentifier: clusterIdentifier, dbInstanceClass: instanceClass, autoMinorVersionUpgrade: true });
    } else {
      const aurora = new rds.CfnDBInstance(scope, `Instance${i}`, {
        dbClusterIdentifier: clusterIdentifier,
        dbInstanceClass: instanceClass,
        engine,
        monitoringInterval: props.monitoringInterval?.toSeconds(),
        monitoringRoleArn: role?.roleArn,
        // Reached through the cluster's network only; HIPAA and NIST checks flag an instance that leaves it to the subnets.
        publiclyAccessible: false,
      });
      endpointAddresses.push(aurora.attrEndpointAddress);
      instance = aurora;
    }
    instance.applyRemovalPolicy(removalPolicy);
    // The first instance of a cluster becomes its writer, so replicas wait for it.
    if (writer) instance.node.addDependency(writer);
    writer ??= instance;
    instances.push(instance);
  }
  return { identifiers: instances.map((i) => i.ref), endpointAddresses, hasServerless: instances.length > 0 && type === SERVERLESS };
}

/**
 * `writer` and `readers`, bound as aws-rds's DatabaseCluster binds them: the writer in promotion tier 0,
 * every reader after the writer. Bound to an imported cluster, whose subnets aws-cdk-lib cannot see, an
 * instance would leave PubliclyAccessible to the API; it is made false unless the instance says otherwise.
 */
function boundInstances(scope: Construct, cluster: rds.IDatabaseCluster, props: RestoredClusterOptions, removalPolicy: RemovalPolicy,
  role: iam.IRole | undefined): ClusterInstances {
  const options = {
    removalPolicy,
    ...(props.monitoringInterval ? { monitoringInterval: props.monitoringInterval, monitoringRole: role } : {}),
  };
  const writer = props.writer!.bind(scope, cluster, { ...options, promotionTier: 0 });
  const readers = (props.readers ?? []).map((reader) => {
    const instance = reader.bind(scope, cluster, options);
    instance.node.addDependency(writer);
    return instance;
  });
  const all = [writer, ...readers];
  for (const instance of all) {
    const resource = instance.node.defaultChild as rds.CfnDBInstance;
    if (resource.publiclyAccessible === undefined) resource.publiclyAccessible = false;
  }
  return {
    identifiers: all.map((i) => i.instanceIdentifier),
    endpointAddresses: all.map((i) => i.dbInstanceEndpointAddress),
    hasServerless: all.some((i) => i.type === rds.InstanceType.SERVERLESS_V2),
  };
}

/** Neptune's `writer` and `readers`, each reader after the writer. */
function neptuneInstances(scope: Construct, clusterIdentifier: string, props: RestoredClusterOptions,
  removalPolicy: RemovalPolicy): ClusterInstances {
  // The props were checked: a Neptune cluster's instances are NeptuneClusterInstances.
  const [writer, ...readers] = [props.writer, ...props.readers ?? []] as NeptuneClusterInstance[];
  const created = [writer._create(scope, clusterIdentifier, removalPolicy)];
  for (const reader of readers) {
    const instance = reader._create(scope, clusterIdentifier, removalPolicy);
    instance.node.addDependency(created[0]);
    created.push(instance);
  }
  return {
    identifiers: created.map((i) => i.ref),
    endpointAddresses: [],
    hasServerless: [writer, ...readers].some((i) => i.isServerless),
  };
}

/** The cluster's instances, in whichever style the props give them. */
export function createInstances(scope: Construct, engine: ClusterEngineName, clusterIdentifier: string, props: RestoredClusterOptions,
  removalPolicy: RemovalPolicy): ClusterInstances {
  const role = monitoringRole(scope, props);
  if (!props.writer) return shorthandInstances(scope, engine, clusterIdentifier, props, removalPolicy, role);
  if (engine === 'neptune') return neptuneInstances(scope, clusterIdentifier, props, removalPolicy);
  // The instances need a cluster to bind to; the public view (with the instances) comes after them.
  const target = rds.DatabaseCluster.fromDatabaseClusterAttributes(scope, 'InstanceTarget', {
    clusterIdentifier,
    engine: engine === 'aurora-mysql' ? rds.DatabaseClusterEngine.AURORA_MYSQL : rds.DatabaseClusterEngine.AURORA_POSTGRESQL,
  });
  return boundInstances(scope, target, props, removalPolicy, role);
}

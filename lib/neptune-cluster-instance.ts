/**
 * The instances of a restored Neptune cluster: provisioned or serverless, as the user declares them.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as neptune from 'aws-cdk-lib/aws-neptune';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { validateGroupName, validateIdentifier } from './private/prop-checks';
import { validationError } from './private/validation-error';

/** Settings every Neptune instance of a restored cluster can have. */
export interface NeptuneClusterInstanceOptions {
  /**
   * Identifier of the instance.
   * @default - a name CloudFormation derives
   */
  readonly instanceIdentifier?: string;

  /**
   * Apply minor engine upgrades in the maintenance window.
   * @default true
   */
  readonly autoMinorVersionUpgrade?: boolean;

  /**
   * Name of the DB parameter group of the instance.
   * @default - the engine's default parameter group
   */
  readonly parameterGroupName?: string;

  /**
   * Weekly maintenance window of the instance, in UTC, such as `Sun:23:45-Mon:00:15`.
   * @default - a window Neptune chooses
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Availability Zone of the instance.
   * @default - one Neptune chooses
   */
  readonly availabilityZone?: string;
}

/** Props of a provisioned Neptune instance. */
export interface ProvisionedNeptuneInstanceProps extends NeptuneClusterInstanceOptions {
  /**
   * Instance class, such as `r6g.large` (the `db.` prefix is added).
   * @default r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
}

/**
 * A DB instance of a restored Neptune cluster, given as `writer` or in `readers` of a
 * {@link PointInTimeRestoredCluster}: Neptune's counterpart of `rds.ClusterInstance`, provisioned or
 * serverless (`db.serverless`, scaled within the cluster's `serverlessV2MinCapacity`/`serverlessV2MaxCapacity`).
 * It takes the place of an `rds.IClusterInstance` there, but only a Neptune restore can create it.
 */
export class NeptuneClusterInstance implements rds.IClusterInstance {
  /**
   * A provisioned instance of a fixed class.
   * @param id the construct id of the instance, unique within the restored cluster
   */
  public static provisioned(id: string, props: ProvisionedNeptuneInstanceProps = {}): NeptuneClusterInstance {
    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
    return new NeptuneClusterInstance(id, instanceType.toString(), props);
  }

  /**
   * A Neptune Serverless instance (`db.serverless`).
   * @param id the construct id of the instance, unique within the restored cluster
   */
  public static serverless(id: string, props: NeptuneClusterInstanceOptions = {}): NeptuneClusterInstance {
    return new NeptuneClusterInstance(id, 'serverless', props);
  }

  /** True for a Neptune Serverless instance. */
  public readonly isServerless: boolean;

  private constructor(private readonly id: string, private readonly instanceClass: string, private readonly props: NeptuneClusterInstanceOptions) {
    validateIdentifier('instanceIdentifier', props.instanceIdentifier);
    validateGroupName('parameterGroupName', props.parameterGroupName);
    this.isServerless = instanceClass === 'serverless';
  }

  /**
   * Not for use: an Aurora cluster cannot hold a Neptune instance. A Neptune restore creates it itself.
   */
  public bind(_scope: Construct, _cluster: rds.IDatabaseCluster, _options: rds.ClusterInstanceBindOptions): rds.IAuroraClusterInstance {
    throw validationError(_scope, `NeptuneClusterInstance ${this.id} is a Neptune instance; give it to a PointInTimeRestoredCluster with ClusterEngine.NEPTUNE, `
      + 'and give an Aurora cluster rds.ClusterInstance.provisioned(...) or rds.ClusterInstance.serverlessV2(...)');
  }

  /**
   * The instance's CloudFormation resource in the restored cluster.
   * @internal
   */
  public _create(scope: Construct, clusterIdentifier: string, removalPolicy: RemovalPolicy): neptune.CfnDBInstance {
    const instance = new neptune.CfnDBInstance(scope, this.id, {
      dbClusterIdentifier: clusterIdentifier,
      dbInstanceClass: `db.${this.instanceClass}`,
      dbInstanceIdentifier: this.props.instanceIdentifier,
      autoMinorVersionUpgrade: this.props.autoMinorVersionUpgrade ?? true,
      dbParameterGroupName: this.props.parameterGroupName,
      preferredMaintenanceWindow: this.props.preferredMaintenanceWindow,
      availabilityZone: this.props.availabilityZone,
    });
    instance.applyRemovalPolicy(removalPolicy);
    return instance;
  }
}

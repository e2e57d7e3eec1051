/**
 * Rehearsing a point-in-time restore: moto plays RDS and Neptune; with `createSources`, the named source
 * cluster is made there first.
 */
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { POINT_IN_TIME_RESTORED_CLUSTER } from '../../lib/private/kinds/point-in-time-restored-cluster';
import { KindRehearsal, PlayContext } from '../kind-play';

/** The source cluster, when it is named (not an ARN, not another restore's). */
async function createSourceCluster(props: Record<string, any>, context: PlayContext): Promise<void> {
  const source = props.SourceDBClusterIdentifier;
  if (typeof source !== 'string' || source.startsWith('arn:') || source.includes('<')) return;
  const engine = String(props.Engine);
  const client: { send(command: any): Promise<any> } = engine === 'neptune' ? new neptune.NeptuneClient({}) : new rds.RDSClient({});
  const sdk: any = engine === 'neptune' ? neptune : rds;
  try {
    await client.send(new sdk.DescribeDBClustersCommand({ DBClusterIdentifier: source }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'DBClusterNotFoundFault') throw error;
  }
  await client.send(new sdk.CreateDBClusterCommand({
    DBClusterIdentifier: source,
    Engine: engine,
    ...(engine === 'neptune' ? {} : { MasterUsername: 'admin', ManageMasterUserPassword: true }),
    ...(props.KmsKeyId ? { StorageEncrypted: true } : {}),
  }));
  context.print(`    created source: ${engine} cluster ${source}`);
}

export const POINT_IN_TIME_REHEARSAL: KindRehearsal = {
  kind: POINT_IN_TIME_RESTORED_CLUSTER,
  play: (context) => ({
    prepare: async (props) => {
      if (context.createSources) await createSourceCluster(props, context);
    },
  }),
};

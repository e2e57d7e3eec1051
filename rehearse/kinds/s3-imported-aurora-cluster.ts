/**
 * Rehearsing an S3 import: RestoreDBClusterFromS3 is played by the RDS stand-in, which passes every other
 * RDS call to moto; with `createSources`, backup files are put under the restore's bucket and prefix. The
 * stand-in serves every rehearsal's RDS calls, so the other cluster kinds' Data API switch is played there too.
 */
import { S3_IMPORTED_AURORA_CLUSTER } from '../../lib/private/kinds/s3-imported-aurora-cluster';
import { KindRehearsal, served } from '../kind-play';
import { RdsS3ImportStandIn } from '../rds-s3-import-stand-in';

export const S3_IMPORT_REHEARSAL: KindRehearsal = {
  kind: S3_IMPORTED_AURORA_CLUSTER,
  play: (context) => {
    const standIn = new RdsS3ImportStandIn(context.emulator);
    return {
      ...served(standIn, 'RDS'),
      announce: () => `RestoreDBClusterFromS3 and DescribeDBEngineVersions are played by the local stand-in at ${standIn.endpoint}; `
        + 'the other RDS calls pass through it to moto',
      prepare: async (props) => {
        const prefix = props.S3Prefix ?? '';
        if (context.createSources && await standIn.ensureBackupFiles(props.S3BucketName, prefix)) {
          context.print(`    created source: backup files under s3://${props.S3BucketName}/${prefix} (moto's S3)`);
        }
      },
      state: () => ({ s3Imports: [...standIn.imports], dataApiClusters: [...standIn.dataApi] }),
    };
  },
};

/**
 * Rehearsing an AWS Backup restore job: the service is played by its stand-in (moto lacks restore jobs);
 * with `createSources`, the recovery point is put there first.
 */
import { BACKUP_RESTORE_JOB } from '../../lib/private/kinds/backup-restore-job';
import { BackupStandIn } from '../backup-stand-in';
import { KindRehearsal, served } from '../kind-play';

export const BACKUP_RESTORE_JOB_REHEARSAL: KindRehearsal = {
  kind: BACKUP_RESTORE_JOB,
  play: (context) => {
    const standIn = new BackupStandIn();
    return {
      ...served(standIn, 'BACKUP'),
      announce: () => `AWS Backup restore jobs are played by the local stand-in at ${standIn.endpoint} (moto does not implement them)`,
      prepare: async (props) => {
        if (!context.createSources || standIn.hasRecoveryPoint(props.RecoveryPointArn)) return;
        // What the point's restore metadata lists: for EFS the keys AWS Backup's API reference says it returns; for the
        // others a guess, the keys the restore names. Their values are never shown.
        const keys = props.ResourceType === 'EFS' ? ['file-system-id', 'Encrypted', 'KmsKeyId', 'PerformanceMode', 'CreationToken', 'newFileSystem']
          : Object.keys(props.Metadata ?? {});
        const metadata = Object.fromEntries(keys.map((key) => [key, 'as backed up']));
        const vault = props.BackupVaultName ?? 'Default';
        standIn.addRecoveryPoint(props.RecoveryPointArn, props.ResourceType, { vault, metadata });
        context.print(`    created source: ${props.ResourceType} recovery point ${props.RecoveryPointArn} in vault ${vault} (stand-in)`);
      },
      state: () => ({ backupJobs: standIn.startedJobs }),
    };
  },
};

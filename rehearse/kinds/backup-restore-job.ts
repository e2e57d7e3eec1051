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
        // A guess at what the point's restore metadata lists: the keys the restore names (their values are not shown anywhere).
        const metadata = Object.fromEntries(Object.keys(props.Metadata ?? {}).map((key) => [key, 'as backed up']));
        const vault = props.BackupVaultName ?? 'Default';
        standIn.addRecoveryPoint(props.RecoveryPointArn, props.ResourceType, { vault, metadata });
        context.print(`    created source: ${props.ResourceType} recovery point ${props.RecoveryPointArn} in vault ${vault} (stand-in)`);
      },
      state: () => ({ backupJobs: standIn.startedJobs }),
    };
  },
};

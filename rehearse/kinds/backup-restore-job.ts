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
        standIn.addRecoveryPoint(props.RecoveryPointArn, props.ResourceType);
        context.print(`    created source: ${props.ResourceType} recovery point ${props.RecoveryPointArn} (stand-in)`);
      },
      state: () => ({ backupJobs: standIn.startedJobs }),
    };
  },
};

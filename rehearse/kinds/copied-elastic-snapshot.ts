/**
 * Rehearsing a DocumentDB Elastic snapshot copy: the service is played by its stand-in (moto lacks it);
 * with `createSources`, the source snapshot is put there first.
 */
import { COPIED_ELASTIC_SNAPSHOT } from '../../lib/private/kinds/copied-elastic-snapshot';
import { DocDbElasticStandIn } from '../docdb-elastic-stand-in';
import { KindRehearsal, served } from '../kind-play';

export const COPIED_ELASTIC_SNAPSHOT_REHEARSAL: KindRehearsal = {
  kind: COPIED_ELASTIC_SNAPSHOT,
  play: (context) => {
    const standIn = new DocDbElasticStandIn();
    return {
      ...served(standIn, 'DOCDB_ELASTIC'),
      announce: () => `DocumentDB Elastic snapshots are played by the local stand-in at ${standIn.endpoint} (moto does not implement them)`,
      prepare: async (props) => {
        if (!context.createSources || standIn.hasSnapshot(props.SourceSnapshotArn)) return;
        standIn.addSnapshot(props.SourceSnapshotArn);
        context.print(`    created source: DocumentDB Elastic cluster snapshot ${props.SourceSnapshotArn} (stand-in)`);
      },
      state: () => ({ elasticSnapshots: { held: standIn.held, deleted: [...standIn.deleted] } }),
    };
  },
};

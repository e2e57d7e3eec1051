import * as path from 'path';
import { CreateDBClusterCommand as CreateNeptuneCluster, NeptuneClient } from '@aws-sdk/client-neptune';
import { CreateDBClusterCommand as CreateRdsCluster, RDSClient } from '@aws-sdk/client-rds';
import { buildExampleApp } from './app';
import { describeRestores } from './summary';
import { startMoto, useEmulator } from '../rehearse/emulator';
import { rehearse } from '../rehearse/rehearsal';

/**
 * `npm run example`: synthesize the example app into cdk.out, say what each restore restores,
 * then rehearse the stack against a local AWS API emulator: create the source clusters the
 * example restores from, and let cdk-restore-rehearse run the restores, their waits and deletes.
 */
async function main(): Promise<void> {
  const outdir = path.join(__dirname, '..', 'cdk.out');
  const assembly = buildExampleApp(outdir).synth();
  console.log(`Synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${path.relative(process.cwd(), outdir) || '.'}`);
  const restores = describeRestores(assembly.directory);
  for (const line of restores) console.log(`  ${line}`);
  console.log(`${restores.length} restore(s)\n`);

  const emulator = await startMoto();
  const undo = useEmulator(emulator.endpoint);
  try {
    console.log(`Started moto_server at ${emulator.endpoint}; creating the source clusters prod-graph and prod-orders in it`);
    await new NeptuneClient({}).send(new CreateNeptuneCluster({ DBClusterIdentifier: 'prod-graph', Engine: 'neptune' }));
    await new RDSClient({}).send(new CreateRdsCluster({
      DBClusterIdentifier: 'prod-orders', Engine: 'aurora-mysql', MasterUsername: 'admin', ManageMasterUserPassword: true,
    }));
    await rehearse({ app: outdir, endpoint: emulator.endpoint });
  } finally {
    undo();
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(`Example failed: ${error.message ?? error}`);
  process.exitCode = 1;
});

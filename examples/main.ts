import * as path from 'path';
import { buildExampleApp } from './app';
import { describeRestores } from './summary';
import { startMoto, useEmulator } from '../rehearse/emulator';
import { rehearse } from '../rehearse/rehearsal';

/**
 * `npm run example`: synthesize the example app into cdk.out, say what each restore restores,
 * then rehearse the stack against a local AWS API emulator (and Huawei Cloud's local stand-in):
 * cdk-restore-rehearse makes the sources the restores name (--create-sources), then runs the
 * restores, their waits, one run of each drill, and the deletes.
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
    console.log(`Started moto_server at ${emulator.endpoint}`);
    // --drill: then one run of the graph's weekly drill, with its report.
    await rehearse({ app: outdir, endpoint: emulator.endpoint, createSources: true, drill: true });
  } finally {
    undo();
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(`Example failed: ${error.message ?? error}`);
  process.exitCode = 1;
});

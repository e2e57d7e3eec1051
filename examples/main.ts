import * as path from 'path';
import { buildExampleApp } from './app';
import { describeRestores } from './summary';

// `npm run example`: synthesize the example app into cdk.out, then say what each restore restores.
const outdir = path.join(__dirname, '..', 'cdk.out');
const assembly = buildExampleApp(outdir).synth();
console.log(`Synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${path.relative(process.cwd(), outdir) || '.'}`);
const restores = describeRestores(assembly.directory);
for (const line of restores) console.log(`  ${line}`);
console.log(`${restores.length} restore(s)`);

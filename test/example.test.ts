import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildExampleApp } from '../examples/app';
import { describeRestores } from '../examples/summary';

test('the example app synthesizes and its summary says what each restore restores from what', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
  try {
    const assembly = buildExampleApp(outdir).synth();
    const lines = describeRestores(assembly.directory);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^RestoreExample\/GraphBeforeIncident\w+: neptune cluster "restoreexample-graphbeforeincident-[a-z0-9-]+" restored from "prod-graph" at its latest restorable time \(full-copy\), 2 instance\(s\); waits up to 3 h; on removal: final snapshot, then delete$/);
    expect(lines[1]).toMatch(/aurora-mysql cluster ".*" restored from "prod-orders" at its latest restorable time \(copy-on-write\), 1 instance\(s\); waits up to 45 min; on removal: delete without a snapshot$/);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

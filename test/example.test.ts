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
    expect(lines).toHaveLength(6);
    expect(lines).toContainEqual(expect.stringMatching(/^RestoreExample\/LegacyOrdersImport\w+: aurora-mysql cluster "[a-z0-9-]+" \(8.0.mysql_aurora.3.10.3\) imported from s3:\/\/legacy-orders-xtrabackup\/backups\/2026-11-20\/ \(MySQL 8.0.36\); waits up to 3 h; on removal: delete without a snapshot$/));
    expect(lines).toContainEqual(expect.stringMatching(/^RestoreExample\/CatalogueSnapshotCopy\w+: DocumentDB Elastic snapshot "catalogue-incident-2026-11-20" copied from arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot\/3b2c8a1e9f0d4c7b8a6e5d4c3b2a1f0e; waits up to 3 h; on removal: keep the copy$/));
    expect(lines[0]).toMatch(/^RestoreExample\/GraphBeforeIncident\w+: neptune cluster "restoreexample-graphbeforeincident-[a-z0-9-]+" restored from "prod-graph" at its latest restorable time \(full-copy\), 2 instance\(s\); waits up to 3 h; on removal: final snapshot, then delete$/);
    expect(lines[1]).toMatch(/aurora-mysql cluster ".*" restored from "prod-orders" at its latest restorable time \(copy-on-write\), 1 instance\(s\); waits up to 45 min; on removal: delete without a snapshot$/);
    expect(lines).toContainEqual(expect.stringMatching(/^RestoreExample\/SharedFilesFromBackup\w+: AWS Backup restore job of the EFS recovery point arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45; waits up to 3 h; on removal: the restored resource stays$/));
    expect(lines.find((l) => l.includes('Huawei'))).toMatch(/^RestoreExample\/ReportingDbFromBackup\w+: Huawei Cloud RDS mysql instance d8e6ca5a624745bcb546a227aa3ae1cfin01 \(project 0483b6b16e954cb88930a360d2c4e663, https:\/\/rds.cn-north-4.myhuaweicloud.com\) overwritten from backup 2f4ddb93-b901-4b08-93d8-1d2e472f30fe of instance d8e6ca5a624745bcb546a227aa3ae1cfin01; waits up to 3 h; on removal: the restored data stays$/);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

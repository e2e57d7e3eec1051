/**
 * Engine versions as RDS and Neptune write them, compared as the upgrade rules need: which is older, and whether
 * two lie in different major versions (which ModifyDBCluster crosses only with AllowMajorVersionUpgrade).
 */
import type { ClusterEngineName } from '../../lib/private/contracts/cluster';

const parts = (version: string) => version.split(/[.-]/);

/**
 * Negative when a is older than b, positive when newer, 0 when equal; undefined when they cannot be ordered
 * (a word where the other has a number, as two suffixes of one release).
 */
export function compareVersions(a: string, b: string): number | undefined {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (p === q) continue;
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    const [m, n] = [Number(p), Number(q)];
    if (Number.isNaN(m) || Number.isNaN(n)) return undefined;
    if (m !== n) return m - n;
  }
  return 0;
}

/**
 * The major version: Aurora PostgreSQL's first number (16 of 16.4); Aurora MySQL's MySQL version (8.0 of
 * 8.0.mysql_aurora.3.08.0, which is Aurora MySQL 3); Neptune's first two numbers (1.3 of 1.3.2.1), as Neptune
 * calls 1.2 to 1.3 a major version upgrade.
 */
export function majorVersion(engine: ClusterEngineName, version: string): string {
  return parts(version).slice(0, engine === 'aurora-postgresql' ? 1 : 2).join('.');
}

/** Why RDS would refuse an upgrade it does not offer from that version, or undefined when it offers it or does not say. */
export function notOffered(engine: ClusterEngineName, from: string, to: string, targets: readonly string[] | undefined): string | undefined {
  if (!targets || targets.includes(to)) return undefined;
  return `RDS offers no upgrade of ${engine} ${from} to ${to}; it offers ${targets.length ? targets.join(', ') : 'none'}`;
}

/**
 * Why an upgrade of a cluster from one version to another cannot be asked for, or undefined when it can: RDS
 * refuses a downgrade, and a major version upgrade that was not allowed.
 */
export function upgradeRefusal(engine: ClusterEngineName, from: string, to: string, allowMajor: boolean): string | undefined {
  const order = compareVersions(to, from);
  if (order !== undefined && order < 0) return `engine version ${to} is older than ${from}, and RDS does not downgrade a cluster`;
  if (!allowMajor && majorVersion(engine, to) !== majorVersion(engine, from)) {
    return `engine version ${to} is a major version upgrade from ${from}, which needs allowMajorVersionUpgrade`;
  }
  return undefined;
}

import { compareVersions, majorVersion, notOffered, upgradeRefusal } from '../lambda/cluster/engine-versions';

describe('engine versions as RDS and Neptune write them', () => {
  test.each([
    ['16.4', '16.6', -1],
    ['16.10', '16.9', 1],
    ['15.8', '15.8', 0],
    ['8.0.mysql_aurora.3.05.2', '8.0.mysql_aurora.3.10.3', -1],
    ['5.7.mysql_aurora.2.12.5', '8.0.mysql_aurora.3.08.0', -1],
    ['1.3.2.1', '1.2.1.0', 1],
    ['1.3.2', '1.3.2.1', -1],
  ])('%s against %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b)!)).toBe(sign);
  });

  test('versions that cannot be ordered say so rather than guess', () => {
    expect(compareVersions('16.4-limitless', '16.4-preview')).toBeUndefined();
  });

  test.each([
    ['aurora-postgresql', '16.4', '16'],
    ['aurora-mysql', '8.0.mysql_aurora.3.08.0', '8.0'],
    ['aurora-mysql', '5.7.mysql_aurora.2.12.5', '5.7'],
    ['neptune', '1.3.2.1', '1.3'],
  ] as const)('the major version of %s %s is %s', (engine, version, major) => {
    expect(majorVersion(engine, version)).toBe(major);
  });

  test('an upgrade is refused when it goes back, or crosses a major version without leave', () => {
    expect(upgradeRefusal('aurora-postgresql', '15.8', '15.10', false)).toBeUndefined();
    expect(upgradeRefusal('aurora-postgresql', '15.8', '16.4', true)).toBeUndefined();
    expect(upgradeRefusal('aurora-postgresql', '15.8', '16.4', false)).toMatch(/major version upgrade from 15.8, which needs allowMajorVersionUpgrade/);
    expect(upgradeRefusal('aurora-mysql', '8.0.mysql_aurora.3.10.3', '8.0.mysql_aurora.3.05.2', true)).toMatch(/is older than 8.0.mysql_aurora.3.10.3/);
    expect(upgradeRefusal('aurora-mysql', '5.7.mysql_aurora.2.12.5', '8.0.mysql_aurora.3.08.0', false)).toMatch(/needs allowMajorVersionUpgrade/);
    expect(upgradeRefusal('neptune', '1.2.1.0', '1.3.2.1', false)).toMatch(/needs allowMajorVersionUpgrade/);
    expect(upgradeRefusal('neptune', '1.3.1.0', '1.3.2.1', false)).toBeUndefined();
  });

  test('an upgrade RDS does not offer from a version is refused with what it offers; when RDS does not say, nothing is refused', () => {
    expect(notOffered('aurora-postgresql', '15.8', '16.4', ['15.10', '16.4'])).toBeUndefined();
    expect(notOffered('aurora-postgresql', '15.8', '17.5', ['15.10', '16.4'])).toBe('RDS offers no upgrade of aurora-postgresql 15.8 to 17.5; it offers 15.10, 16.4');
    expect(notOffered('neptune', '1.4.5.1', '1.4.6.0', [])).toBe('RDS offers no upgrade of neptune 1.4.5.1 to 1.4.6.0; it offers none');
    expect(notOffered('aurora-postgresql', '15.8', '17.5', undefined)).toBeUndefined();
  });
});

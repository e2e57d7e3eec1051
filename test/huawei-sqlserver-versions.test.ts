import { sqlServerEditionName, sqlServerRestoreRule } from '../lambda/huawei-rds-recovery/sqlserver-versions';

/**
 * Table 1 of the API reference as written out in the handler. The table, read row by row, follows one pattern
 * (a release no older, an edition no lower, Web below Standard below Enterprise); checking every pair against
 * that pattern catches an entry mistyped in the transcription, which a test of a few rows would not.
 */
const CODES = ['2008_R2_SE', '2008_R2_EE', '2012_WEB', '2012_SE', '2012_EE', '2014_WEB', '2014_SE', '2014_EE',
  '2016_WEB', '2016_SE', '2016_EE', '2017_WEB', '2017_SE', '2017_EE'];
/** Codes the table names only as targets: it has no row for them as a source. */
const WITHOUT_ROW = ['2008_R2_EE', '2014_WEB', '2016_WEB'];
const release = (code: string) => parseFloat(code.replace('_R2', '.5'));
const rank = (code: string) => ['WEB', 'SE', 'EE'].indexOf(code.split('_').at(-1)!);

test.each(CODES.filter((c) => !WITHOUT_ROW.includes(c)))('from %s: exactly the targets of a release no older and an edition no lower', (from) => {
  for (const to of CODES) {
    const expected = release(to) >= release(from) && rank(to) >= rank(from) ? 'allowed' : 'refused';
    expect([to, sqlServerRestoreRule(from, to).verdict]).toEqual([to, expected]);
  }
});

test('a source without a row, or a release the table does not name, is left to the service', () => {
  for (const from of WITHOUT_ROW) expect(sqlServerRestoreRule(from, '2017_EE')).toEqual({ verdict: 'not in the table' });
  expect(sqlServerRestoreRule('2017_EE', '2019_EE')).toEqual({ verdict: 'not in the table' });
  expect(sqlServerRestoreRule('2022_SE', '2022_EE')).toEqual({ verdict: 'not in the table' });
  expect(sqlServerRestoreRule('2017 Enterprise', '2017_EE')).toEqual({ verdict: 'not in the table' });
});

test('a refusal lists the allowed targets in the reference\'s words, whatever the case of the codes', () => {
  expect(sqlServerRestoreRule('2016_ee', '2014_ee')).toEqual({ verdict: 'refused', allowed: ['2016 Enterprise Edition', '2017 Enterprise Edition'] });
  expect(sqlServerEditionName('2008_R2_SE')).toBe('2008 R2 Standard Edition');
  expect(sqlServerEditionName('2019_EE')).toBe('2019 Enterprise Edition');
});

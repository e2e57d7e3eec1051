/**
 * Table 1 of Huawei Cloud's "Restoring Data to an Existing DB Instance": the SQL Server versions and
 * editions a restore may go to, by the version and edition it comes from.
 */

/** An edition as the API's version strings abbreviate it (2017_SE, 2008_R2_EE, 2016_WEB). */
type Edition = 'WEB' | 'SE' | 'EE';

const EDITION_NAMES: Record<Edition, string> = { WEB: 'Web Edition', SE: 'Standard Edition', EE: 'Enterprise Edition' };

/**
 * The table as the reference prints it, one row per source; each entry is "<release> <edition>". Written out
 * rather than derived from a rule, so that a row the reference changes is changed here as it reads there.
 */
const RESTORES_TO: Record<string, readonly string[]> = {
  '2008_R2 SE': ['2008_R2 SE', '2008_R2 EE', '2012 SE', '2012 EE', '2014 SE', '2014 EE', '2016 SE', '2016 EE', '2017 SE', '2017 EE'],
  '2012 WEB': ['2012 WEB', '2012 SE', '2012 EE', '2014 WEB', '2014 SE', '2014 EE', '2016 WEB', '2016 SE', '2016 EE', '2017 WEB', '2017 SE', '2017 EE'],
  '2012 SE': ['2012 SE', '2012 EE', '2014 SE', '2014 EE', '2016 SE', '2016 EE', '2017 SE', '2017 EE'],
  '2012 EE': ['2012 EE', '2014 EE', '2016 EE', '2017 EE'],
  '2014 SE': ['2014 SE', '2014 EE', '2016 SE', '2016 EE', '2017 SE', '2017 EE'],
  '2014 EE': ['2014 EE', '2016 EE', '2017 EE'],
  '2016 SE': ['2016 SE', '2016 EE', '2017 SE', '2017 EE'],
  '2016 EE': ['2016 EE', '2017 EE'],
  '2017 WEB': ['2017 WEB', '2017 SE', '2017 EE'],
  '2017 SE': ['2017 SE', '2017 EE'],
  '2017 EE': ['2017 EE'],
};

/** Every version and edition the table names as a target. */
const TARGETS = new Set(Object.values(RESTORES_TO).flat());

/** "2017_SE" as "2017 SE"; undefined for a string of another form. */
function tableKey(version: string): string | undefined {
  const match = /^(\d{4}(?:_R2)?)_(WEB|SE|EE)$/i.exec(version.trim());
  return match ? `${match[1].toUpperCase()} ${match[2].toUpperCase()}` : undefined;
}

/** A version string in the reference's words: "2008_R2_SE" is "2008 R2 Standard Edition". */
export function sqlServerEditionName(version: string): string {
  const key = tableKey(version);
  if (!key) return version;
  const [release, edition] = key.split(' ');
  return `${release.replace('_', ' ')} ${EDITION_NAMES[edition as Edition]}`;
}

/**
 * What Table 1 says of a restore from one SQL Server version to another: 'allowed', 'refused' (with the
 * targets the source may go to), or 'not in the table' when the source has no row (2008 R2 Enterprise, 2014 Web
 * and 2016 Web Edition have none) or the target is named nowhere (a release newer than the reference, such as 2019 or 2022): only
 * the service can then judge.
 */
export function sqlServerRestoreRule(source: string, target: string):
{ verdict: 'allowed' } | { verdict: 'refused'; allowed: readonly string[] } | { verdict: 'not in the table' } {
  const from = tableKey(source);
  const to = tableKey(target);
  const allowed = from ? RESTORES_TO[from] : undefined;
  if (!allowed || !to || !TARGETS.has(to)) return { verdict: 'not in the table' };
  if (allowed.includes(to)) return { verdict: 'allowed' };
  return { verdict: 'refused', allowed: allowed.map((key) => sqlServerEditionName(key.replace(' ', '_'))) };
}

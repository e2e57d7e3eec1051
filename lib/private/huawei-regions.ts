/**
 * The regions Huawei Cloud offers RDS in, and the domain of each one's endpoint, as Huawei Cloud's own SDKs list
 * them (huaweicloud-sdk-python-v3, RdsRegion). A region missing here is reached through the construct's `endpoint`.
 */
const RDS_REGION_DOMAINS: Record<string, string> = {
  'af-south-1': 'myhuaweicloud.com',
  'cn-north-4': 'myhuaweicloud.com',
  'cn-north-1': 'myhuaweicloud.com',
  'cn-north-2': 'myhuaweicloud.com',
  'cn-north-9': 'myhuaweicloud.com',
  'cn-east-2': 'myhuaweicloud.com',
  'cn-east-3': 'myhuaweicloud.com',
  'cn-south-1': 'myhuaweicloud.com',
  'cn-south-2': 'myhuaweicloud.com',
  'cn-southwest-2': 'myhuaweicloud.com',
  'ap-southeast-1': 'myhuaweicloud.com',
  'ap-southeast-2': 'myhuaweicloud.com',
  'ap-southeast-3': 'myhuaweicloud.com',
  'ap-southeast-4': 'myhuaweicloud.com',
  'ru-northwest-2': 'myhuaweicloud.com',
  'sa-brazil-1': 'myhuaweicloud.com',
  'la-north-2': 'myhuaweicloud.com',
  'la-south-2': 'myhuaweicloud.com',
  'na-mexico-1': 'myhuaweicloud.com',
  'tr-west-1': 'myhuaweicloud.com',
  'ae-ad-1': 'myhuaweicloud.com',
  'eu-west-101': 'myhuaweicloud.eu',
};

/** The RDS regions this library knows. */
export const HUAWEI_RDS_REGIONS: readonly string[] = Object.keys(RDS_REGION_DOMAINS);

/** The RDS endpoint of a known region. */
export function huaweiRdsEndpoint(region: string): string {
  return `https://rds.${region}.${RDS_REGION_DOMAINS[region] ?? 'myhuaweicloud.com'}`;
}

/** Edits from one name to the other (insert, delete, replace one character). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

/** The known region nearest a name: the one a typo most likely meant. */
export function nearestHuaweiRegion(name: string): string {
  return HUAWEI_RDS_REGIONS.reduce((best, region) => (distance(name, region) < distance(name, best) ? region : best));
}

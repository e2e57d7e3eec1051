/**
 * The connections of a restored cluster with no security group the app knows: without `vpc` or `securityGroups`,
 * RDS places the cluster in the default VPC with that VPC's default security group, which no construct of the
 * app holds. A rule given through them would be dropped without a word, so each use fails at synth instead.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { validationError } from './validation-error';

export class UnmanagedConnections extends ec2.Connections {
  constructor(private readonly owner: IConstruct, defaultPort: ec2.Port) {
    super({ defaultPort });
  }

  allowTo(): void { this.refuse('allowTo'); }
  allowFrom(): void { this.refuse('allowFrom'); }
  allowInternally(): void { this.refuse('allowInternally'); }
  allowToAnyIpv4(): void { this.refuse('allowToAnyIpv4'); }
  allowFromAnyIpv4(): void { this.refuse('allowFromAnyIpv4'); }
  allowDefaultPortFrom(): void { this.refuse('allowDefaultPortFrom'); }
  allowDefaultPortInternally(): void { this.refuse('allowDefaultPortInternally'); }
  allowDefaultPortFromAnyIpv4(): void { this.refuse('allowDefaultPortFromAnyIpv4'); }
  allowToDefaultPort(): void { this.refuse('allowToDefaultPort'); }
  allowDefaultPortTo(): void { this.refuse('allowDefaultPortTo'); }

  private refuse(method: string): never {
    throw validationError(this.owner, `Invalid connections.${method} on ${this.owner.node.path}: the restored cluster has no security group this app manages `
      + '(neither vpc nor securityGroups is given, so RDS puts it in the default security group of the default VPC, or of the subnet group\'s VPC), '
      + 'and the rule would have no effect. Give vpc (a security group is made for the cluster) or securityGroups, then allow through connections.');
  }
}

/**
 * The connections of a restored cluster with no security group the app knows: without `vpc`, or with an empty
 * `securityGroups`, RDS gives the cluster its VPC's default security group, which no construct of the app holds. A
 * rule given through them would be dropped without a word, so each use fails at synth instead.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { validationError } from './validation-error';

/** Connections that refuse every rule, saying why. */
export class UnmanagedConnections extends ec2.Connections {
  constructor(private readonly owner: IConstruct, defaultPort: ec2.Port) {
    super({ defaultPort });
  }

  addSecurityGroup(): void { this.refuse('addSecurityGroup'); }
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

  /** Another construct's rule toward the cluster reaches here too, as its allowFrom or allowTo: the message says so. */
  private refuse(method: string): never {
    throw validationError(this.owner, `Invalid use of connections on ${this.owner.node.path} (${method}, called by the app or by `
      + 'a construct it gave the cluster to): the restored cluster has no security group this app manages (securityGroups is missing or empty, '
      + 'and none is made without vpc), so RDS gives it its VPC\'s default security group, and the rule would have no effect. Give vpc '
      + '(a security group is made for the cluster) or securityGroups, then allow through connections.');
  }
}

// The DynamoDB table, built from the same TableDefinition as `npm run table:create`
// (src/data/table.ts), so a new index there reaches the stack with no change here.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { IndexDefinition, KeyType, TableDefinition } from '../../src/data/table.js';

// Exhaustive maps: a new option in TableDefinition fails to compile here until it is mapped.
const ATTRIBUTE_TYPE: Record<KeyType, AttributeType> = { S: AttributeType.STRING, N: AttributeType.NUMBER };
const BILLING: Record<TableDefinition['billing'], BillingMode> = { PAY_PER_REQUEST: BillingMode.PAY_PER_REQUEST };
const STREAM: Record<TableDefinition['stream'], StreamViewType> = { NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES };
const PROJECTION: Record<IndexDefinition['projection'], ProjectionType> = { ALL: ProjectionType.ALL };

export interface TableOptions {
  /** Production keeps its data: point-in-time recovery, deletion protection, and RETAIN. */
  production: boolean;
}

export function buildTable(scope: Construct, id: string, def: TableDefinition, { production }: TableOptions): Table {
  // Same fallback as src/ops/admin.ts's attributeDefinitions: an undeclared key attribute is a string.
  const attribute = (name: string): Attribute => ({ name, type: ATTRIBUTE_TYPE[def.attributes[name] ?? 'S'] });
  const table = new Table(scope, id, {
    partitionKey: attribute(def.partitionKey),
    sortKey: attribute(def.sortKey),
    billingMode: BILLING[def.billing],
    stream: STREAM[def.stream],
    timeToLiveAttribute: def.ttlAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: production },
    deletionProtection: production,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  for (const index of def.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      projectionType: PROJECTION[index.projection],
    });
  }
  return table;
}

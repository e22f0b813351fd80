import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';

/** An empty state table as the stack defines it (pk, sk): with no item, the app runs in the primary. */
export async function createStateTable(clients: AwsClients, TableName: string): Promise<void> {
  await clients.dynamo().send(
    new CreateTableCommand({
      TableName,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/**
 * Customer managed KMS keys for an estate, one per region, as production estates have them: the
 * primary's named by alias (`alias/<name>`), the recovery region's by ARN, so both grant forms are
 * exercised.
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';

export interface EstateKeys {
  /** Key ARN by region. */
  readonly arns: Record<string, string>;
  /** What a plan names: `alias/<name>` in the primary, the key ARN in the recovery region. */
  readonly planKeys: Record<string, string>;
}

export async function createEstateKeys(
  primary: string,
  recovery: string,
  name = 'shop-data',
): Promise<EstateKeys> {
  const arns: Record<string, string> = {};
  for (const region of [primary, recovery]) {
    const kms = new KMSClient({ region });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `${name} in ${region}` }));
    const arn = KeyMetadata?.Arn ?? '';
    await kms.send(new CreateAliasCommand({ AliasName: `alias/${name}`, TargetKeyId: KeyMetadata?.KeyId }));
    arns[region] = arn;
  }
  return { arns, planKeys: { [primary]: `alias/${name}`, [recovery]: arns[recovery] as string } };
}

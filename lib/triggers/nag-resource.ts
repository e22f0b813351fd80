import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resource as cdk-nag names it in a finding id: `Ref`s become `<AWS::AccountId>`,
 * `Fn::GetAtt`s `<Logical.Arn>`, joined as the template joins them.
 */
export function nagResource(scope: IConstruct, value: string): string {
  if (!Token.isUnresolved(value)) return value;
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const object = part as Record<string, unknown>;
    if (typeof object.Ref === 'string') return `<${object.Ref}>`;
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = object['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map(render).join(join[0] as string);
    return JSON.stringify(part);
  };
  return render(Stack.of(scope).resolve(value));
}

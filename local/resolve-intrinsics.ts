/**
 * Turns CloudFormation intrinsic functions in a synthesized template into the plain values they would have
 * once deployed to the local AWS (moto): deterministic physical names, ARNs built the way each service
 * builds them, moto's default account and the chosen region.
 *
 * Supported: Ref (resources, parameters, pseudo parameters), Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, Fn::GetAZs, Fn::FindInMap, Fn::Base64, Fn::ToJsonString, Fn::Length, Fn::If (with the
 * template's Conditions: Fn::Equals/Not/And/Or/Condition). Anything else throws "unsupported".
 */
import { createHash } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from './aws-environment';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  [other: string]: unknown;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Parameters?: Record<string, { Type: string; Default?: unknown; [other: string]: unknown }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
  [other: string]: unknown;
}

export interface ResolveContext {
  /** Default `us-east-1`. */
  region?: string;
  /** Default moto's `123456789012`. */
  accountId?: string;
  /** Default `pendulum-local`. Part of every generated physical name. */
  stackName?: string;
  /** The template the value comes from: resource types, explicit names, parameters, mappings, conditions. */
  template?: CfnTemplate;
  /** Physical ids chosen elsewhere (e.g. by whoever created the resources in moto); win over everything. */
  physicalIds?: Record<string, string>;
  /** Parameter values; parameters not listed here take their template Default. */
  parameters?: Record<string, unknown>;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_STACK_NAME = 'pendulum-local';

export class UnsupportedIntrinsicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedIntrinsicError';
  }
}

/** What `{"Ref": "AWS::NoValue"}` resolves to inside the resolver; dropped from objects and arrays. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The physical name of a resource deployed locally: deterministic, lower-case letters, digits and single
 * hyphens, at most 63 characters, starting and ending with a letter or digit — valid as an S3 bucket name
 * (path-style), a DynamoDB table, an SNS topic, an SQS queue, a state machine, a log group or an IAM role.
 * The hash suffix keeps names distinct when lower-casing or truncation would merge two logical ids.
 */
export function localPhysicalId(stackName: string, logicalId: string, _type: string): string {
  const suffix = shortHash(`${stackName}/${logicalId}`);
  let base = [slug(stackName), slug(logicalId)].filter(Boolean).join('-') || 'resource';
  // Bucket names may not start with these prefixes; add a letter in front.
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(base)) base = `r${base}`;
  base = base.slice(0, 63 - suffix.length - 1).replace(/-+$/, '');
  return `${base}-${suffix}`;
}

/** Properties through which a template names a resource explicitly. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
}

function asList(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

class Resolver {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly resources: Record<string, CfnResource>;

  constructor(readonly ctx: ResolveContext) {
    this.region = ctx.region ?? DEFAULT_REGION;
    this.accountId = ctx.accountId ?? LOCAL_ACCOUNT_ID;
    this.stackName = ctx.stackName ?? DEFAULT_STACK_NAME;
    this.resources = ctx.template?.Resources ?? {};
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item)).filter((item) => item !== NO_VALUE);
    }
    if (!isPlainObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      if (key === 'Ref' || key.startsWith('Fn::')) return this.intrinsic(key, value[key]);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.resolve(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(asString(this.resolve(arg), 'Ref'));
      case 'Fn::GetAtt':
        return this.getAtt(arg);
      case 'Fn::Join': {
        const [delimiter, list] = asList(arg, 'Fn::Join');
        const items = asList(this.resolve(list), 'Fn::Join list');
        return items
          .map((item) => asString(item, 'Fn::Join item'))
          .join(asString(delimiter, 'Fn::Join delimiter'));
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, list] = asList(arg, 'Fn::Select');
        const i = Number(this.resolve(index));
        const items = asList(this.resolve(list), 'Fn::Select list');
        if (!Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new Error(
            `Fn::Select: index ${JSON.stringify(index)} out of range for ${items.length} items`,
          );
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = asList(arg, 'Fn::Split');
        return asString(this.resolve(source), 'Fn::Split source').split(
          asString(delimiter, 'Fn::Split delimiter'),
        );
      }
      case 'Fn::GetAZs': {
        const region = this.resolve(arg);
        const r = typeof region === 'string' && region !== '' ? region : this.region;
        return [`${r}a`, `${r}b`, `${r}c`];
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = asList(this.resolve(arg), 'Fn::FindInMap').map((p) =>
          asString(p, 'Fn::FindInMap'),
        );
        const found = this.ctx.template?.Mappings?.[map as string]?.[top as string]?.[second as string];
        if (found === undefined) throw new Error(`Fn::FindInMap: no ${map}.${top}.${second} in the template`);
        return this.resolve(found);
      }
      case 'Fn::Base64':
        return Buffer.from(asString(this.resolve(arg), 'Fn::Base64'), 'utf8').toString('base64');
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(arg));
      case 'Fn::Length':
        return asList(this.resolve(arg), 'Fn::Length').length;
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = asList(arg, 'Fn::If');
        return this.resolve(this.condition(asString(condition, 'Fn::If')) ? whenTrue : whenFalse);
      }
      default:
        throw new UnsupportedIntrinsicError(`unsupported intrinsic function ${fn} (${JSON.stringify(arg)})`);
    }
  }

  private condition(name: string): boolean {
    const conditions = this.ctx.template?.Conditions;
    if (!conditions || !(name in conditions)) {
      throw new UnsupportedIntrinsicError(`unsupported: condition ${name} is not defined in the template`);
    }
    return this.evaluateCondition(conditions[name]);
  }

  private evaluateCondition(expression: unknown): boolean {
    if (!isPlainObject(expression) || Object.keys(expression).length !== 1) {
      throw new UnsupportedIntrinsicError(`unsupported condition expression ${JSON.stringify(expression)}`);
    }
    const [fn, arg] = Object.entries(expression)[0] as [string, unknown];
    switch (fn) {
      case 'Condition':
        return this.condition(asString(arg, 'Condition'));
      case 'Fn::Equals': {
        const [a, b] = asList(arg, 'Fn::Equals').map((item) => this.resolve(item));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.evaluateCondition(asList(arg, 'Fn::Not')[0]);
      case 'Fn::And':
        return asList(arg, 'Fn::And').every((item) => this.evaluateCondition(item));
      case 'Fn::Or':
        return asList(arg, 'Fn::Or').some((item) => this.evaluateCondition(item));
      default:
        throw new UnsupportedIntrinsicError(`unsupported condition function ${fn}`);
    }
  }

  private sub(arg: unknown): string {
    let text: string;
    let variables: Record<string, unknown> = {};
    if (typeof arg === 'string') {
      text = arg;
    } else {
      const [template, vars] = asList(arg, 'Fn::Sub');
      text = asString(template, 'Fn::Sub');
      if (vars !== undefined) {
        if (!isPlainObject(vars)) throw new Error('Fn::Sub: variables must be an object');
        variables = vars;
      }
    }
    return text.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const name = expression.trim();
      if (name in variables) return asString(this.resolve(variables[name]), `Fn::Sub \${${name}}`);
      if (!name.startsWith('AWS::') && name.includes('.')) {
        const dot = name.indexOf('.');
        return asString(this.getAtt([name.slice(0, dot), name.slice(dot + 1)]), `Fn::Sub \${${name}}`);
      }
      return asString(this.ref(name), `Fn::Sub \${${name}}`);
    });
  }

  ref(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.stackName}/${uuidFrom(this.stackName)}`;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const parameter = this.ctx.template?.Parameters?.[name];
    if (parameter || (this.ctx.parameters && name in this.ctx.parameters)) {
      const value = this.ctx.parameters?.[name] ?? parameter?.Default;
      if (value === undefined) throw new Error(`Ref ${name}: parameter has no value and no Default`);
      const resolved = this.resolve(value);
      const listType = parameter && /^(CommaDelimitedList|List<)/.test(parameter.Type);
      return listType && typeof resolved === 'string' ? resolved.split(',') : resolved;
    }
    const resource = this.resources[name];
    if (!resource && this.ctx.physicalIds?.[name] === undefined && this.ctx.template) {
      throw new Error(`Ref ${name}: no such resource, parameter or pseudo parameter in the template`);
    }
    const type = resource?.Type ?? '';
    const physical = this.physicalName(name);
    const r = this.region;
    const a = this.accountId;
    switch (type) {
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${r}:${a}:${physical}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${r}.amazonaws.com/${a}/${physical}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${r}:${a}:stateMachine:${physical}`;
      case 'AWS::StepFunctions::Activity':
        return `arn:aws:states:${r}:${a}:activity:${physical}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${a}:policy/${physical}`;
      case 'AWS::Lambda::Version':
        return `${this.getAttOf(name, 'FunctionArn')}:1`;
      case 'AWS::Lambda::Alias':
        return this.getAttOf(name, 'AliasArn');
      case 'AWS::SNS::Subscription':
        return `arn:aws:sns:${r}:${a}:${physical}:${uuidFrom(name)}`;
      case 'AWS::KMS::Key':
        return uuidFrom(`${this.stackName}/${name}`);
      case 'AWS::Route53::HealthCheck':
        return uuidFrom(`${this.stackName}/${name}`);
      case 'AWS::Route53::HostedZone':
        return `Z${shortHash(`${this.stackName}/${name}`, 20).toUpperCase()}`;
      default:
        return physical;
    }
  }

  /** What a resource is called: given physical id, else its explicit name property, else a generated name. */
  physicalName(logicalId: string): string {
    const given = this.ctx.physicalIds?.[logicalId];
    if (given !== undefined) return given;
    const resource = this.resources[logicalId];
    const type = resource?.Type ?? '';
    const nameProperty = NAME_PROPERTY[type];
    const explicit = nameProperty ? resource?.Properties?.[nameProperty] : undefined;
    if (explicit !== undefined) return asString(this.resolve(explicit), `${logicalId}.${nameProperty}`);
    // Lambda functions keep their logical id, so their ARNs read `…:function:LogicalId`.
    if (type === 'AWS::Lambda::Function') return logicalId;
    return localPhysicalId(this.stackName, logicalId, type);
  }

  private getAtt(arg: unknown): unknown {
    let parts: unknown[];
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      parts = dot < 0 ? [arg] : [arg.slice(0, dot), arg.slice(dot + 1)];
    } else {
      parts = asList(arg, 'Fn::GetAtt');
    }
    const [logicalId, attribute] = parts.map((part) => asString(this.resolve(part), 'Fn::GetAtt'));
    if (!logicalId || !attribute)
      throw new Error(`Fn::GetAtt: expected [logicalId, attribute], got ${JSON.stringify(arg)}`);
    if (!this.resources[logicalId] && this.ctx.physicalIds?.[logicalId] === undefined && this.ctx.template) {
      throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: no such resource in the template`);
    }
    return this.getAttOf(logicalId, attribute);
  }

  private getAttOf(logicalId: string, attribute: string): string {
    const resource = this.resources[logicalId];
    const type = resource?.Type ?? '';
    const name = this.physicalName(logicalId);
    const r = this.region;
    const a = this.accountId;
    const byType: Record<string, Record<string, () => string>> = {
      'AWS::Lambda::Function': {
        Arn: () => `arn:aws:lambda:${r}:${a}:function:${name}`,
      },
      'AWS::Lambda::Alias': {
        AliasArn: () => {
          const fn = resource?.Properties?.FunctionName;
          const fnName = fn === undefined ? name : asString(this.resolve(fn), `${logicalId}.FunctionName`);
          const fnArn = fnName.startsWith('arn:') ? fnName : `arn:aws:lambda:${r}:${a}:function:${fnName}`;
          const alias = resource?.Properties?.Name;
          return `${fnArn}:${alias === undefined ? name : asString(this.resolve(alias), `${logicalId}.Name`)}`;
        },
      },
      'AWS::Lambda::Version': {
        FunctionArn: () => {
          const fn = resource?.Properties?.FunctionName;
          const fnName = fn === undefined ? name : asString(this.resolve(fn), `${logicalId}.FunctionName`);
          return fnName.startsWith('arn:') ? fnName : `arn:aws:lambda:${r}:${a}:function:${fnName}`;
        },
        Version: () => '1',
      },
      'AWS::DynamoDB::Table': {
        Arn: () => `arn:aws:dynamodb:${r}:${a}:table/${name}`,
        StreamArn: () => `arn:aws:dynamodb:${r}:${a}:table/${name}/stream/1970-01-01T00:00:00.000`,
      },
      'AWS::DynamoDB::GlobalTable': {
        Arn: () => `arn:aws:dynamodb:${r}:${a}:table/${name}`,
        StreamArn: () => `arn:aws:dynamodb:${r}:${a}:table/${name}/stream/1970-01-01T00:00:00.000`,
        TableId: () => uuidFrom(`${this.stackName}/${logicalId}`),
      },
      'AWS::S3::Bucket': {
        Arn: () => `arn:aws:s3:::${name}`,
        DomainName: () => `${name}.s3.amazonaws.com`,
        RegionalDomainName: () => `${name}.s3.${r}.amazonaws.com`,
        DualStackDomainName: () => `${name}.s3.dualstack.${r}.amazonaws.com`,
        WebsiteURL: () => `http://${name}.s3-website-${r}.amazonaws.com`,
      },
      'AWS::SNS::Topic': {
        TopicArn: () => `arn:aws:sns:${r}:${a}:${name}`,
        TopicName: () => name,
      },
      'AWS::SQS::Queue': {
        Arn: () => `arn:aws:sqs:${r}:${a}:${name}`,
        QueueName: () => name,
        QueueUrl: () => `https://sqs.${r}.amazonaws.com/${a}/${name}`,
      },
      'AWS::StepFunctions::StateMachine': {
        Arn: () => `arn:aws:states:${r}:${a}:stateMachine:${name}`,
        Name: () => name,
      },
      'AWS::Logs::LogGroup': {
        Arn: () => `arn:aws:logs:${r}:${a}:log-group:${name}:*`,
      },
      'AWS::IAM::Role': {
        Arn: () => `arn:aws:iam::${a}:role/${name}`,
        RoleId: () => `AROA${shortHash(name, 17).toUpperCase()}`,
      },
      'AWS::Events::Rule': {
        Arn: () => `arn:aws:events:${r}:${a}:rule/${name}`,
      },
      'AWS::Events::EventBus': {
        Arn: () => `arn:aws:events:${r}:${a}:event-bus/${name}`,
        Name: () => name,
      },
      'AWS::CloudWatch::Alarm': {
        Arn: () => `arn:aws:cloudwatch:${r}:${a}:alarm:${name}`,
      },
      'AWS::KMS::Key': {
        Arn: () => `arn:aws:kms:${r}:${a}:key/${uuidFrom(`${this.stackName}/${logicalId}`)}`,
        KeyId: () => uuidFrom(`${this.stackName}/${logicalId}`),
      },
      'AWS::SSM::Parameter': {
        Type: () => asString(this.resolve(resource?.Properties?.Type ?? 'String'), `${logicalId}.Type`),
        Value: () => asString(this.resolve(resource?.Properties?.Value ?? ''), `${logicalId}.Value`),
      },
      'AWS::Route53::HealthCheck': {
        HealthCheckId: () => uuidFrom(`${this.stackName}/${logicalId}`),
      },
    };
    const make = byType[type]?.[attribute];
    if (make) return make();
    return `local-${slug(logicalId)}-${slug(attribute)}-${shortHash(`${this.stackName}/${logicalId}.${attribute}`)}`;
  }
}

/** Resolve every intrinsic function in `value` (deeply); `ctx.template` gives resource types and names. */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext = {}): unknown {
  const resolved = new Resolver(ctx).resolve(value);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** The physical name `Ref` yields for a name-type resource (tables, buckets, functions …) under `ctx`. */
export function resolvePhysicalName(logicalId: string, ctx: ResolveContext = {}): string {
  return new Resolver(ctx).physicalName(logicalId);
}

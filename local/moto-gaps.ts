/**
 * Adapters for what moto does not do that AWS does, applied to the SDK's answers in the local
 * harness only (never in product code). Each names the AWS behaviour it stands for.
 *
 * - CopyImage with TagSpecifications: AWS tags the new AMI and its snapshots as it makes them
 *   (EC2 API Reference, CopyImage, TagSpecifications); moto 5.2.1 ignores them.
 * - CreateImage with a `snapshot` TagSpecification: AWS tags the image's snapshots as it makes them
 *   (EC2 API Reference, CreateImage); moto 5.2.1 raises NotImplementedError. The snapshot tags are
 *   held back from moto and applied to the new image's snapshots.
 */
import { CreateTagsCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { asHarness } from './harness-calls';
import { clientRegion, type SdkClient, type SdkCommand, wrapSdkSend } from './sdk-send';

type TagSpecification = { ResourceType?: string; Tags?: { Key?: string; Value?: string }[] };

const TAGGED_AS_MADE: Record<string, (specs: TagSpecification[]) => TagSpecification[]> = {
  // What moto is given of the tag specifications; the rest is applied after the call.
  CopyImageCommand: () => [],
  CreateImageCommand: (specs) => specs.filter((s) => s.ResourceType !== 'snapshot'),
};

async function tagCopy(region: string, imageId: string, specs: TagSpecification[]): Promise<void> {
  const ec2 = new EC2Client({ region });
  const imageTags = specs.filter((s) => s.ResourceType === 'image').flatMap((s) => s.Tags ?? []);
  // Applying the image's tags again is harmless where moto already did (CreateImage).
  const snapshotTags = specs.filter((s) => s.ResourceType === 'snapshot').flatMap((s) => s.Tags ?? []);
  if (imageTags.length > 0) await ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: imageTags }));
  if (snapshotTags.length === 0) return;
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  const snapshots = (Images[0]?.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
  if (snapshots.length > 0)
    await ec2.send(new CreateTagsCommand({ Resources: snapshots, Tags: snapshotTags }));
}

/** Wraps the SDK's `send` once, so every client gets the adapters. */
export function installMotoGapAdapters(): void {
  wrapSdkSend(
    'moto-gaps',
    (send) =>
      function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
        const specs = command.input?.TagSpecifications as TagSpecification[] | undefined;
        const forMoto = TAGGED_AS_MADE[command.constructor.name];
        if (!forMoto || !specs?.length) return send.call(this, command, ...rest);
        command.input = { ...command.input, TagSpecifications: forMoto(specs) };
        const result = send.call(this, command, ...rest) as Promise<{ ImageId?: string }>;
        return result.then(async (output) => {
          const region = await clientRegion(this);
          if (output.ImageId) await asHarness(() => tagCopy(region, output.ImageId as string, specs));
          return output;
        });
      },
  );
}

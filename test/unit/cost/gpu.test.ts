/**
 * GPU cost by meaning: real usage types, VM sizes, meters and SKU descriptions of AWS, Azure, GCP and OCI, with
 * the false positives a substring match made (a public IPv4 address, a t2.micro, gp3 volumes, Graviton t4g).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isGpuCharge } from '../../../main/cost/gpu';
import { parseFocus } from '../../../main/cost/focus';

const GPU: Array<[string, string]> = [
  ['AWS usage type', 'USE1-BoxUsage:p5.48xlarge'],
  ['AWS usage type, Spot', 'USW2-SpotUsage:g5.12xlarge'],
  ['AWS usage type', 'USE1-BoxUsage:g4dn.xlarge'],
  ['AWS usage type', 'USE1-BoxUsage:g6e.2xlarge'],
  ['AWS usage type', 'USE1-BoxUsage:p3.2xlarge'],
  ['AWS usage type, Inferentia', 'USE1-BoxUsage:inf2.xlarge'],
  ['AWS usage type, Trainium', 'USE2-BoxUsage:trn1.32xlarge'],
  ['AWS SageMaker usage type', 'USE1-Hosting:ml.g5.2xlarge'],
  ['AWS description', '$32.7726 per On Demand Linux p4d.24xlarge Instance Hour'],
  ['AWS description', '$98.32 per On Demand Linux p5.48xlarge Instance Hour'],
  ['Azure VM size', 'Standard_NC24ads_A100_v4'],
  ['Azure VM size', 'Standard_ND96asr_v4'],
  ['Azure meter', 'NC4as T4 v3'],
  ['Azure meter', 'ND96asr A100 v4 Spot'],
  ['Azure meter', 'NV36ads A10 v5'],
  ['Azure meter subcategory', 'NCasT4 v3 Series'],
  ['GCP SKU description', 'Nvidia Tesla T4 GPU running in Americas'],
  ['GCP SKU description', 'Nvidia L4 GPU running in EMEA'],
  ['GCP SKU description', 'Nvidia H100 80GB GPU running in Americas'],
  ['GCP SKU description', 'A2 Instance Core running in Americas'],
  ['GCP SKU description', 'G2 Instance Ram running in APAC'],
  ['GCP machine type', 'a3-highgpu-8g'],
  ['GCP machine type', 'g2-standard-8'],
  ['GCP SKU description', 'TPU v5e Pod Slice running in Americas'],
  ['OCI shape', 'BM.GPU.H100.8'],
  ['OCI shape', 'VM.GPU.A10.1'],
  ['OCI description', 'Compute - GPU - A10'],
];

const NOT_GPU: Array<[string, string]> = [
  ['AWS public IPv4 usage type', 'USE1-PublicIPv4:InUseAddress'],
  ['AWS public IPv4 description', '$0.005 per In-use public IPv4 address per hour'],
  ['AWS t2.micro usage type', 'USE1-BoxUsage:t2.micro'],
  ['AWS t2.micro description', '$0.0116 per On Demand Linux t2.micro Instance Hour'],
  ['AWS Graviton (not a T4)', 'USE1-BoxUsage:t4g.micro'],
  ['AWS gp3 volume (not p3)', 'USE1-EBS:VolumeUsage.gp3'],
  ['AWS general purpose', 'USE1-BoxUsage:m5.large'],
  ['AWS Graviton compute', 'USE1-BoxUsage:c6g.xlarge'],
  ['AWS data transfer', 'USE1-DataTransfer-Out-Bytes'],
  ['AWS NAT gateway', 'USE1-NatGateway-Hours'],
  ['Azure VM size', 'Standard_D8s_v3'],
  ['Azure meter', 'D4s v5'],
  ['Azure meter', 'E4s v3'],
  ['GCP SKU description', 'N2 Instance Core running in Americas'],
  ['GCP SKU description', 'E2 Instance Ram running in Americas'],
  ['GCP machine type', 'n2-standard-8'],
  ['GCP SKU description', 'Network Internet Egress from Americas to Americas'],
  ['OCI description', 'Compute - Standard - E4 - OCPU'],
  ['an opaque SKU id that happens to spell GPU', 'GPU3Q2XVR8ZBDKXW'],
];

describe('GPU charges by meaning', () => {
  it.each(GPU)('%s "%s" is GPU cost', (_what, text) => expect(isGpuCharge(text)).toBe(true));
  it.each(NOT_GPU)('%s "%s" is not GPU cost', (_what, text) => expect(isGpuCharge(text)).toBe(false));

  it('a FOCUS row is classified from its description and meter, never from its SKU id or resource name', async () => {
    const csv = [
      'BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeDescription,SkuId,SkuMeter,ResourceName,Tags',
      '3.60,USD,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,$0.005 per In-use public IPv4 address per hour,GPU3Q2XVR8ZBDKXW,PublicIPv4,gpu-node-eip,{}',
      '0.28,USD,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,$0.0116 per On Demand Linux t2.micro Instance Hour,8VCNGPU5Z2FPKQAR,BoxUsage,gpu-bastion,{}',
      '98.32,USD,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,$98.32 per On Demand Linux p5.48xlarge Instance Hour,XG5QJ3V9T2K8M4NW,BoxUsage,trainer,{}',
    ].join('\n');
    const out = await parseFocus(Readable.from([csv]), 'aws.csv');
    if (!out.ok) throw new Error('parse failed');
    const byCategory = Object.fromEntries(out.value.groups.map((g) => [g.category, g.billed]));
    expect(byCategory).toEqual({ gpu: '98.32', other: '3.88' });
  });
});

/**
 * Is a charge for GPUs (or ML accelerators)? Decided from what the bill says the charge is, word by word: the
 * usage type (`USE1-BoxUsage:p5.48xlarge`), the instance type or VM size, the meter and the description
 * (`Nvidia Tesla T4 GPU running in Americas`). Never from an opaque id: SKU ids are random letters
 * (`GPU3Q2…` is a public IPv4 address on one bill), and a resource's name is whatever its owner chose.
 *
 * Every pattern is bounded on both sides, so `gp3` is not `p3`, `t4g.micro` is not a T4 and `IPv4` is not `g4`.
 */
const AWS_GPU_FAMILIES =
  'p2|p3|p3dn|p4d|p4de|p5|p5e|p5en|p6-b200|p6e-gb200|g3|g3s|g4dn|g4ad|g5|g5g|g6|g6e|g6f|gr6|gr6f|trn1|trn1n|trn2|inf1|inf2|dl1|dl2q';

const GPU_PATTERNS: RegExp[] = [
  // AWS instance types with GPUs or ML accelerators (also SageMaker's `ml.g5.xlarge`): family.size
  new RegExp(
    `(?<![a-z0-9])(?:${AWS_GPU_FAMILIES})\\.(?:\\d*x?large|metal(?:-\\d+xl)?|\\d+xl)(?![a-z0-9])`,
    'i',
  ),
  // Azure N-series VM sizes (NC, ND, NG, NV): `Standard_NC24ads_A100_v4`, meters `NC4as T4 v3`, `ND96asr A100 v4`
  /(?<![a-z0-9])(?:standard_)?n[cdgv]\d+[a-z]*(?:_[a-z0-9]+)*(?![a-z0-9])/i,
  // Azure meter subcategories: `NCasT4 v3 Series`, `NDv2 Series`
  /(?<![a-z0-9])n[cdgv][a-z0-9]*\s?v?\d*\s+series(?![a-z0-9])/i,
  // GCP accelerator machine types and their core/RAM SKUs: `a2-highgpu-1g`, `g2-standard-8`, `A3 Instance Core`
  /(?<![a-z0-9])(?:a2|a3|a4|g2|g4)-(?:highgpu|megagpu|ultragpu|edgegpu|highmem|standard)(?:-\d+g?)?(?![a-z0-9])/i,
  /(?<![a-z0-9])(?:a2|a3|a4|g2|g4)\s+(?:instance\s+)?(?:core|ram)(?![a-z0-9])/i,
  // OCI GPU shapes: `BM.GPU.H100.8`, `VM.GPU.A10.1`, `BM.GPU4.8`
  /(?<![a-z0-9])(?:bm|vm)\.gpu/i,
  // descriptions and meters that say it: `GPU`, `Nvidia`, `Tesla`, TPUs, AWS's accelerator chips
  /(?<![a-z0-9])(?:gpus?|nvidia|tesla|tpus?|tpu-v\d+[a-z]*|trainium\d?|inferentia\d?)(?![a-z0-9])/i,
];

/**
 * Pass only descriptive fields (usage type, instance type, meter, charge description, resource type), never an
 * id. True when any of them names a GPU or accelerator.
 */
export function isGpuCharge(...descriptions: Array<string | null | undefined>): boolean {
  for (const t of descriptions) {
    if (!t) continue;
    for (const re of GPU_PATTERNS) if (re.test(t)) return true;
  }
  return false;
}

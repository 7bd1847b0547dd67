/**
 * Is a charge for GPUs? Decided from what the bill says about it: the usage type (`USE1-BoxUsage:p5.48xlarge`),
 * the SKU, the instance type or a description. GPU instance families of AWS, Azure (NC/ND/NV) and GCP (a2/a3/g2),
 * and GPU model names.
 */
const GPU_PATTERNS: RegExp[] = [
  // AWS instance families with NVIDIA GPUs or ML accelerators
  /(^|[^a-z0-9])(p2|p3|p3dn|p4d|p4de|p5|p5e|p5en|p6-b200|g3|g3s|g4dn|g4ad|g5|g5g|g6|g6e|g6f|gr6|gr6f|trn1|trn1n|trn2|inf1|inf2|dl1|dl2q)\.[0-9a-z]+/i,
  // Azure N-series and GCP accelerator machine types
  /(^|[^a-z0-9])standard_n[cdv][0-9a-z_]*/i,
  /(^|[^a-z0-9])(a2|a3|g2)-(highgpu|megagpu|ultragpu|edgegpu|standard)-?[0-9a-z]*/i,
  /gpu|nvidia|tesla|\b(a100|a10g?|h100|h200|b200|l4|l40s?|t4|v100|k80|m60)\b/i,
];

export function isGpuCharge(...texts: Array<string | null | undefined>): boolean {
  for (const t of texts) {
    if (!t) continue;
    for (const re of GPU_PATTERNS) if (re.test(t)) return true;
  }
  return false;
}

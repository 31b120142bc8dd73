/**
 * Target Kubernetes version (`--kube-version X.Y`, config `kubernetesVersion`) and the
 * features that depend on it (DOMAIN.md §4, §11 "Version switches").
 */

export interface KubeVersion {
  major: number;
  minor: number;
}

/** `1.31`, `v1.31`, `1.31.2` → {1, 31}; anything else → null. */
export function parseKubeVersion(text: string): KubeVersion | null {
  const m = /^v?(\d{1,3})\.(\d{1,3})(?:\.\d{1,4})?$/.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** True when `version` is at least `min` (both `X.Y`); an unparsable version counts as the default. */
export function kubeAtLeast(version: string, min: string): boolean {
  const v = parseKubeVersion(version) ?? parseKubeVersion("1.31")!;
  const m = parseKubeVersion(min)!;
  return v.major !== m.major ? v.major > m.major : v.minor >= m.minor;
}

/** Native `lifecycle.*.sleep` is on by default from 1.30 (beta; alpha 1.29 off) (DOMAIN.md §4). */
export function nativeSleepAvailable(version: string): boolean {
  return kubeAtLeast(version, "1.30");
}

/** `sleep.seconds: 0` is accepted from 1.33 (PodLifecycleSleepActionAllowZero beta) (DOMAIN.md §4). */
export function zeroSleepAllowed(version: string): boolean {
  return kubeAtLeast(version, "1.33");
}

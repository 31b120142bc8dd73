/**
 * drainlint's own annotations (SPEC §4) on a workload or its pod template: what they mean,
 * and which are malformed (`invalid-annotation`, after which the annotation is ignored).
 */
import type { WorkloadView } from "../model/workload.js";
import { parseRuleList } from "./suppress.js";
import { didYouMean } from "../util/text.js";

export const PREFIX = "drainlint.dev/";

/** Annotations holding seconds, and the budget term each sets. */
export const SECONDS_ANNOTATIONS = {
  "drainlint.dev/max-request-seconds": "maxRequestSeconds",
  "drainlint.dev/drain-delay-seconds": "drainDelaySeconds",
  "drainlint.dev/endpoint-propagation-seconds": "endpointPropagationSeconds",
  "drainlint.dev/safety-margin-seconds": "safetyMarginSeconds",
} as const;

export const KNOWN_ANNOTATIONS = [
  "drainlint.dev/ignore",
  "drainlint.dev/ignore-reason",
  ...Object.keys(SECONDS_ANNOTATIONS),
];

export interface AnnotationProblem {
  key: string;
  message: string;
}

/** Non-negative seconds, as a number; null when absent or malformed. */
export function secondsAnnotation(
  w: WorkloadView,
  key: keyof typeof SECONDS_ANNOTATIONS,
): number | null {
  const v = w.annotations[key];
  return v === undefined ? null : parseSeconds(v);
}

export function parseSeconds(v: string): number | null {
  const t = v.trim().replace(/s$/, "");
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** The rule ids named in `drainlint.dev/ignore`, split into known and unknown. */
export function ignoredRules(
  w: WorkloadView,
  known: ReadonlySet<string>,
): { rules: string[]; unknown: string[] } {
  const v = w.annotations["drainlint.dev/ignore"];
  return v === undefined ? { rules: [], unknown: [] } : parseRuleList(v, known);
}

export function annotationProblems(
  w: WorkloadView,
  known: ReadonlySet<string>,
): AnnotationProblem[] {
  const out: AnnotationProblem[] = [];
  for (const [key, value] of Object.entries(w.annotations)) {
    if (!key.startsWith(PREFIX)) continue;
    if (key === "drainlint.dev/ignore") {
      for (const id of ignoredRules(w, known).unknown) {
        const hint = didYouMean(id, [...known]);
        out.push({
          key,
          message: `"${id}" in drainlint.dev/ignore is not a drainlint rule, so it silences nothing (the known ids still apply)${hint ? `; did you mean "${hint}"?` : "."}`,
        });
      }
    } else if (key in SECONDS_ANNOTATIONS) {
      if (parseSeconds(value) === null)
        out.push({
          key,
          message: `${key} must be a number of seconds (like "30"), not "${value}"; the annotation is ignored and the default is used.`,
        });
    } else if (!KNOWN_ANNOTATIONS.includes(key)) {
      const hint = didYouMean(key, KNOWN_ANNOTATIONS);
      out.push({
        key,
        message: `Unknown drainlint annotation ${key}: it has no effect${hint ? `; did you mean ${hint}?` : "."}`,
      });
    }
  }
  return out;
}

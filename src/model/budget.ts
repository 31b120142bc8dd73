/**
 * The drain budget (SPEC §3 grace-period-below-budget, DOMAIN.md §8):
 *
 *   budget = preStopSeconds + drainDelaySeconds + maxRequestSeconds + safetyMarginSeconds
 *
 * Each term comes from a per-object annotation (drainlint.dev/*-seconds), else the run's
 * settings (flags, `.drainlint.yaml` `budget:`), else the default; the message says which
 * terms are defaults. preStopSeconds is the parsed hook (src/model/prestop.ts).
 */
import { secondsAnnotation } from "../engine/annotations.js";
import type { Budget, BudgetData, BudgetTerm, Edit, LintSettings } from "../types.js";
import { upsertKeyEdit } from "../fix/edits.js";
import { analyzePreStop, fmtSeconds, type PreStopAnalysis } from "./prestop.js";
import { getIn, receivesTraffic, type ContainerView, type WorkloadView } from "./workload.js";

export interface TermValue {
  seconds: number;
  isDefault: boolean;
  /** Where the value came from, for messages. */
  from: "annotation" | "settings" | "default";
}

const ANNOTATION_OF = {
  maxRequestSeconds: "drainlint.dev/max-request-seconds",
  safetyMarginSeconds: "drainlint.dev/safety-margin-seconds",
  endpointPropagationSeconds: "drainlint.dev/endpoint-propagation-seconds",
} as const;

/** A settings-backed term: annotation › flag/config › default. */
export function settingTerm(w: WorkloadView, settings: LintSettings, key: keyof Budget): TermValue {
  const ann = secondsAnnotation(w, ANNOTATION_OF[key]);
  if (ann !== null) return { seconds: ann, isDefault: false, from: "annotation" };
  if (settings.budgetExplicit[key])
    return { seconds: settings.budget[key], isDefault: false, from: "settings" };
  return { seconds: settings.budget[key], isDefault: true, from: "default" };
}

/** How long the app keeps serving after SIGTERM before closing its listener: annotation, else 0. */
export function drainDelay(w: WorkloadView): TermValue {
  const ann = secondsAnnotation(w, "drainlint.dev/drain-delay-seconds");
  return ann !== null
    ? { seconds: ann, isDefault: false, from: "annotation" }
    : { seconds: 0, isDefault: true, from: "default" };
}

export function preStopOf(c: ContainerView): PreStopAnalysis {
  return analyzePreStop(getIn(c.raw, ["lifecycle", "preStop"]), [
    ...c.path,
    "lifecycle",
    "preStop",
  ]);
}

export interface ContainerBudget {
  preStop: PreStopAnalysis;
  data: BudgetData;
}

export const TERM_LABELS: Record<string, string> = {
  preStop: "preStop",
  drainDelay: "drain delay",
  maxRequest: "max request",
  safetyMargin: "safety margin",
};

export function containerBudget(
  w: WorkloadView,
  c: ContainerView,
  settings: LintSettings,
): ContainerBudget {
  const preStop = preStopOf(c);
  const delay = drainDelay(w);
  const maxRequest = settingTerm(w, settings, "maxRequestSeconds");
  const margin = settingTerm(w, settings, "safetyMarginSeconds");
  const terms: BudgetTerm[] = [
    {
      name: "preStop",
      seconds: preStop.seconds ?? 0,
      isDefault: false,
      ...(preStop.seconds === null ? { unknown: true } : {}),
    },
    { name: "drainDelay", seconds: delay.seconds, isDefault: delay.isDefault },
    { name: "maxRequest", seconds: maxRequest.seconds, isDefault: maxRequest.isDefault },
    { name: "safetyMargin", seconds: margin.seconds, isDefault: margin.isDefault },
  ];
  return {
    preStop,
    data: {
      grace: w.grace.value,
      graceIsDefault: !w.grace.explicit,
      terms,
      total: terms.reduce((s, t) => s + t.seconds, 0),
    },
  };
}

/** `preStop 5s + drain delay 0s (default) + max request 10s (default) + … = 20s`. */
export function budgetSum(data: BudgetData, preStop?: PreStopAnalysis): string {
  const parts = data.terms.map((t) => {
    const label = TERM_LABELS[t.name] ?? t.name;
    if (t.unknown) return `${label} ? (unknown, counted as 0s)`;
    const lower = t.name === "preStop" && preStop?.lowerBound ? "≥ " : "";
    return `${label} ${lower}${fmtSeconds(t.seconds)}${t.isDefault ? " (default)" : ""}`;
  });
  return `${parts.join(" + ")} = ${fmtSeconds(data.total)}`;
}

/** `terminationGracePeriodSeconds: 20` or `terminationGracePeriodSeconds 30 (default, unset)`. */
export function graceText(w: WorkloadView): string {
  return w.grace.explicit
    ? `terminationGracePeriodSeconds: ${w.grace.value}`
    : `terminationGracePeriodSeconds ${w.grace.value}s (the default; it is unset)`;
}

/** Containers whose shutdown the grace period must cover: those that take traffic or have a preStop hook. */
export function budgetedContainers(w: WorkloadView): ContainerView[] {
  return w.containers.filter((c) => receivesTraffic(w, c) || preStopOf(c).kind !== "none");
}

/** The grace period the pod needs: its largest finite container budget (autofix target). */
export function podGraceTarget(w: WorkloadView, settings: LintSettings): number | null {
  let best: number | null = null;
  for (const c of budgetedContainers(w)) {
    const total = containerBudget(w, c, settings).data.total;
    if (Number.isFinite(total)) best = Math.max(best ?? 0, Math.ceil(total));
  }
  return best;
}

/** The edit that sets (or inserts) the pod's terminationGracePeriodSeconds, when it raises it. */
export function raiseGraceEdit(w: WorkloadView, target: number | null): Edit | null {
  if (target === null || !(target > w.grace.value)) return null;
  const json = w.file.kind === "json";
  return upsertKeyEdit(
    w.locator,
    w.file.text,
    w.podSpecPath,
    "terminationGracePeriodSeconds",
    target,
    json,
  );
}

/**
 * `defineRule`: a rule is metadata plus a small pure check over one view of the model.
 * The engine decides which views reach a rule (scope), turns reports into findings, and
 * applies precedence and suppression afterwards.
 */
import type { BudgetData, Fix, LintSettings, Severity, Span, Suggestion } from "../types.js";
import type { ContainerView, WorkloadView } from "../model/workload.js";
import type { DockerfileView } from "../model/dockerfile-view.js";

export type RuleTarget = "container" | "pod" | "dockerfile" | "engine";

export interface RuleMeta {
  /** Fixed public id (= file name in rules/). */
  id: string;
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  /** container: once per container; pod: once per workload; dockerfile: once per Dockerfile;
   *  engine: reported by the engine itself (parse errors, annotations, templates). */
  target: RuleTarget;
  /** `autofix` when `--fix` can apply the change, else `suggestion`. */
  fixable: "autofix" | "suggestion";
  /** `serving`: only workloads that serve traffic (SPEC §2 Scope); `all`: every kind. */
  appliesTo: "serving" | "all";
  /**
   * One problem, one finding (SPEC §2): a finding of this rule is dropped when a finding of
   * `rule` exists for the same object (and the same container, or pod-wide) sharing a topic.
   */
  silencedBy?: ReadonlyArray<{ rule: string; topics?: readonly string[] }>;
}

export interface Report {
  message: string;
  at: Span;
  suggestions: Suggestion[];
  fix?: Fix | null;
  /** What the finding is about (`grace`, `preStop`, `readinessProbe`, …), for precedence. */
  topics?: string[];
  /** Override the container the finding belongs to (null: object level). */
  container?: string | null;
  budget?: BudgetData;
}

interface BaseContext {
  settings: LintSettings;
  report(r: Report): void;
}

interface TargetViews {
  container: ContainerView;
  pod: WorkloadView;
  dockerfile: DockerfileView;
  engine: never;
}

interface TargetContexts {
  container: { workload: WorkloadView };
  pod: { workload: WorkloadView };
  dockerfile: object;
  engine: object;
}

export type RuleContext<T extends RuleTarget = RuleTarget> = BaseContext & TargetContexts[T];

export interface Rule<T extends RuleTarget = RuleTarget> {
  meta: RuleMeta & { target: T };
  check?: (view: TargetViews[T], ctx: RuleContext<T>) => void;
  /**
   * A container or pod rule that also reads Dockerfiles (the PID 1 rules, STOPSIGNAL under
   * invalid-shutdown-config): called once per Dockerfile that parsed.
   */
  checkDockerfile?: (view: DockerfileView, ctx: RuleContext<"dockerfile">) => void;
}

/** Identity with types: `defineRule({ meta, check })`. */
export function defineRule<T extends RuleTarget>(rule: Rule<T>): Rule<T> {
  return rule;
}

/** Docs URL derived from the id, never typed by hand. */
export function ruleDocsUrl(id: string): string {
  return `https://github.com/drainlint/drainlint/blob/main/rules/${id}.md`;
}

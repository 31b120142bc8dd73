/**
 * The GitHub Action (SPEC §8): the same `lint()` call as the CLI, `@actions/core` at the edge.
 * Annotations with file/line/column, a job summary (a table of the findings and the drain
 * budget arithmetic), a SARIF file for code scanning, outputs `findings`, `errors` and
 * `sarif-file`, and a failed step when a finding reaches `fail-on`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as core from "@actions/core";
import { Chalk } from "chalk";
import {
  lint,
  loadFormatter,
  VERSION,
  type Finding,
  type LintResult,
  type Severity,
} from "./index.js";
import { ruleDocsUrl } from "./engine/rule.js";
import { annotationText } from "./format/github.js";
import { renderTimeline } from "./format/timeline.js";
import type { BudgetData } from "./types.js";

const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };
const FAIL_ON = ["error", "warning", "info", "never"] as const;
type FailOn = (typeof FAIL_ON)[number];
/** Rows in the summary table; the job summary is capped at 1 MiB by GitHub. */
const MAX_ROWS = 500;

class InputError extends Error {}

interface Inputs {
  paths: string[];
  config: string;
  failOn: FailOn;
  sarifFile: string;
  annotations: boolean;
  kubeVersion: string;
}

function readInputs(): Inputs {
  const paths = core.getInput("path").split(/[\s]+/).filter(Boolean);
  const failOn = (core.getInput("fail-on") || "error").toLowerCase();
  if (!(FAIL_ON as readonly string[]).includes(failOn))
    throw new InputError(`fail-on must be one of ${FAIL_ON.join(", ")}, got "${failOn}"`);
  const annotationsRaw = core.getInput("annotations").toLowerCase();
  if (annotationsRaw && !["true", "false"].includes(annotationsRaw))
    throw new InputError(`annotations must be true or false, got "${annotationsRaw}"`);
  const kubeVersion = core.getInput("kube-version");
  if (kubeVersion && !/^\d+\.\d+$/.test(kubeVersion))
    throw new InputError(`kube-version must look like 1.31, got "${kubeVersion}"`);
  return {
    paths: paths.length ? paths : ["."],
    config: core.getInput("config"),
    failOn: failOn as FailOn,
    sarifFile: core.getInput("sarif-file"),
    annotations: annotationsRaw !== "false",
    kubeVersion,
  };
}

/** Plain text made safe inside a Markdown table cell: HTML-escaped, pipes as entities. */
function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "&#124;")
    .replace(/\r?\n/g, "<br>");
}

/** A message for a table cell: `code` spans become <code> (entities decode there, unlike in
 *  a Markdown code span), everything else is escaped. */
function cell(s: string): string {
  const parts = s.split("`");
  if (parts.length % 2 === 0) return esc(s); // an unpaired backtick: no code spans
  return parts.map((part, i) => (i % 2 === 1 ? `<code>${esc(part)}</code>` : esc(part))).join("");
}

function code(s: string): string {
  return `<code>${esc(s)}</code>`;
}

const ICON: Record<Severity, string> = {
  error: "❌ error",
  warning: "⚠️ warning",
  info: "ℹ️ info",
};

function objectName(f: Finding): string {
  const o = f.object;
  const obj = o?.kind && o.name ? `${o.kind}/${o.name}` : "";
  return [obj, f.container ? `container ${f.container}` : ""].filter(Boolean).join(", ");
}

function budgetMarkdown(f: Finding, b: BudgetData): string {
  const rows = b.terms.map(
    (t) =>
      `| ${esc(t.name)} | ${t.unknown ? "unknown" : `${t.seconds}s`} | ${t.isDefault ? "default" : ""} |`,
  );
  const verdict = b.total > b.grace ? "SIGKILL comes first" : "fits";
  const timeline = renderTimeline(b, new Chalk({ level: 0 })).join("\n");
  return [
    `#### ${esc(objectName(f) || f.file)} (${code(`${f.file}:${f.line}`)})`,
    "",
    "| term | seconds | |",
    "| --- | ---: | --- |",
    ...rows,
    `| **budget** | **${b.total}s** | |`,
    `| terminationGracePeriodSeconds | ${b.grace}s | ${b.graceIsDefault ? "default" : ""} |`,
    "",
    `Budget ${b.terms.map((t) => (t.unknown ? "?" : `${t.seconds}`)).join(" + ")} = ${b.total}s against a grace period of ${b.grace}s: ${verdict}.`,
    "",
    "```text",
    timeline,
    "```",
    "",
  ].join("\n");
}

function summaryMarkdown(result: LintResult, failOn: FailOn, failing: number): string {
  const { errors, warnings, infos, files, objects, fixable } = result.summary;
  const total = result.findings.length;
  const status =
    failOn === "never"
      ? ""
      : failing
        ? ` — failing: ${failing} at or above \`${failOn}\``
        : ` — nothing at or above \`${failOn}\``;
  const out = [
    `## drainlint`,
    "",
    total
      ? `**${total} finding${total === 1 ? "" : "s"}** (${errors} errors, ${warnings} warnings, ${infos} infos; ${fixable} fixable with \`drainlint --fix\`) in ${objects} objects across ${files} files${status}.`
      : `✅ No problems in ${objects} objects across ${files} files.`,
    "",
  ];
  if (total) {
    out.push(
      "| Severity | Rule | Location | Object | Message |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const f of result.findings.slice(0, MAX_ROWS)) {
      const where = `${code(`${f.file}:${f.line}:${f.column}`)}${f.source ? `<br>from ${code(f.source.file)}` : ""}`;
      out.push(
        `| ${ICON[f.severity]} | [${code(f.ruleId)}](${ruleDocsUrl(f.ruleId)}) | ${where} | ${esc(objectName(f))} | ${cell(f.message)} |`,
      );
    }
    if (total > MAX_ROWS)
      out.push("", `… and ${total - MAX_ROWS} more (see the SARIF file or the log).`);
    out.push("");
  }
  const budgets = result.findings.filter((f) => f.budget);
  if (budgets.length) {
    out.push("### Drain budget arithmetic", "");
    out.push(
      "budget = preStop + drain delay + max request + safety margin; the grace period must cover it.",
      "",
    );
    for (const f of budgets.slice(0, MAX_ROWS)) out.push(budgetMarkdown(f, f.budget!));
  }
  if (result.notices.length) {
    out.push("### Files not linted", "");
    for (const n of result.notices) out.push(`- ${code(n.file)}: ${esc(n.message)}`);
    out.push("");
  }
  return out.join("\n") + "\n";
}

export async function runAction(): Promise<void> {
  let inputs: Inputs;
  try {
    inputs = readInputs();
  } catch (e) {
    core.setFailed(`drainlint: ${(e as Error).message}`);
    return;
  }
  const cwd = process.cwd();
  let result: LintResult;
  try {
    result = await lint({
      paths: inputs.paths,
      cwd,
      // An explicit config file, else .drainlint.yaml found from the workspace upward.
      config: inputs.config || true,
      settings: inputs.kubeVersion ? { kubeVersion: inputs.kubeVersion } : undefined,
    });
  } catch (e) {
    // Usage and config errors: one line, the step fails, nothing else is written.
    core.setOutput("findings", 0);
    core.setOutput("errors", 0);
    core.setOutput("sarif-file", "");
    core.setFailed(`drainlint: ${(e as Error).message}`);
    return;
  }

  const stylish = await loadFormatter("stylish");
  core.info(stylish({ result, version: VERSION, color: true, cwd }).trimEnd());

  for (const n of result.notices) core.warning(`${n.file}: ${n.message}`, { title: "drainlint" });
  if (inputs.annotations) {
    for (const f of result.findings) {
      const props = {
        title: `drainlint ${f.ruleId}`,
        file: f.file,
        startLine: f.line,
        endLine: f.endLine,
        startColumn: f.column,
        endColumn: f.endColumn,
      };
      const text = annotationText(f);
      if (f.severity === "error") core.error(text, props);
      else if (f.severity === "warning") core.warning(text, props);
      else core.notice(text, props);
    }
  }

  let sarifOut = "";
  if (inputs.sarifFile) {
    const sarif = await loadFormatter("sarif");
    const file = path.resolve(cwd, inputs.sarifFile);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, sarif({ result, version: VERSION, color: false, cwd }));
    sarifOut = inputs.sarifFile;
    core.info(`drainlint: SARIF written to ${inputs.sarifFile}`);
  }

  const failing =
    inputs.failOn === "never"
      ? 0
      : result.findings.filter((f) => RANK[f.severity] >= RANK[inputs.failOn as Severity]).length;
  if (process.env.GITHUB_STEP_SUMMARY) {
    core.summary.addRaw(summaryMarkdown(result, inputs.failOn, failing));
    await core.summary.write();
  } else core.debug("GITHUB_STEP_SUMMARY is not set: no job summary");

  core.setOutput("findings", result.findings.length);
  core.setOutput("errors", result.summary.errors);
  core.setOutput("sarif-file", sarifOut);
  if (failing)
    core.setFailed(
      `drainlint: ${failing} finding${failing === 1 ? "" : "s"} at or above ${inputs.failOn} (fail-on)`,
    );
}

runAction().catch((e: unknown) => {
  core.setFailed(`drainlint: internal error: ${(e as Error)?.message ?? String(e)}`);
});

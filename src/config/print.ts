/**
 * `--print-config PATH`: the effective configuration for a file, as YAML a person can read
 * (and paste into .drainlint.yaml), each value with where it came from (default, config
 * file, command line), plus what applies to that file alone: whether a directory walk
 * skips it, its disable comments and its objects' drainlint.dev/* annotations. So users
 * can see why a rule did or did not run.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import ignore from "ignore";
import { parseAllDocuments } from "yaml";
import { discover, fileKindOf } from "../discover.js";
import { RULES, RULE_IDS, UsageError } from "../engine/lint.js";
import { scanComments } from "../engine/suppress.js";
import { SECONDS_ANNOTATIONS } from "../engine/annotations.js";
import type { Budget, LintSettings, Severity } from "../types.js";
import type { LoadedConfig } from "./load.js";
import { BUDGET_KEYS } from "./merge.js";

export interface PrintConfigInput {
  /** The file (or directory) asked about, as given. */
  target: string;
  cwd: string;
  config: LoadedConfig | null;
  /** Why there is no config: "--no-config" or null (none found). */
  noConfigReason: string | null;
  /** The settings the run would use (defaults < config < flags). */
  settings: LintSettings;
  /** Which values the command line set. */
  flags: { rules: Set<string>; kubeVersion: boolean; budget: Set<keyof Budget>; failOn: boolean };
  failOn: Severity | "never";
  noIgnore: boolean;
}

function rel(p: string, cwd: string): string {
  const r = path.relative(cwd, p);
  return (r && !r.startsWith("..") && !path.isAbsolute(r) ? r : p).split(path.sep).join("/");
}

export async function printConfig(input: PrintConfigInput): Promise<string> {
  const { cwd, config, settings, flags } = input;
  const abs = path.resolve(cwd, input.target);
  let stat;
  try {
    stat = await fs.stat(abs);
  } catch {
    throw new UsageError(`--print-config: no such file or directory: ${input.target}`);
  }
  const configName = config?.file ? rel(config.file, cwd) : config ? "the config object" : null;
  const origin = (fromFlag: boolean, inConfig: boolean) =>
    fromFlag ? "command line" : inConfig ? configName! : "default";
  const c = config?.config ?? {};
  const out: string[] = [];
  out.push(`# Effective drainlint configuration for ${rel(abs, cwd) || "."}`);
  out.push(
    `# Config file: ${
      configName ??
      input.noConfigReason ??
      "none (no .drainlint.yaml or .drainlint.yml from here up to the repository root)"
    }`,
  );
  out.push(`# Precedence: command line > config file > defaults; per-object annotations`);
  out.push(`# override the budget; drainlint.dev/ignore and disable comments override all.`);
  out.push(
    `kubernetesVersion: ${JSON.stringify(settings.kubeVersion)}  # ${origin(flags.kubeVersion, c.kubernetesVersion !== undefined)}`,
  );
  out.push("rules:");
  const ids = [...RULES].map((r) => r.meta).sort((a, b) => (a.id < b.id ? -1 : 1));
  const width = Math.max(...ids.map((m) => m.id.length));
  for (const meta of ids) {
    const level = settings.rules[meta.id] ?? meta.severity;
    const from = origin(flags.rules.has(meta.id), c.rules?.[meta.id] !== undefined);
    out.push(`  ${(meta.id + ":").padEnd(width + 1)} ${level.padEnd(7)}  # ${from}`);
  }
  const extra = Object.keys(settings.rules).filter((id) => !RULE_IDS.has(id));
  for (const id of extra.sort())
    out.push(`  ${id}: ${settings.rules[id]}  # not a rule of this version: no effect`);
  out.push("budget:");
  for (const key of BUDGET_KEYS)
    out.push(
      `  ${key}: ${settings.budget[key]}  # ${origin(flags.budget.has(key), c.budget?.[key] !== undefined)}`,
    );
  const patterns = c.ignorePaths ?? [];
  if (patterns.length) {
    out.push(`ignorePaths:  # relative to ${rel(config!.dir, cwd) || "."}`);
    for (const p of patterns) out.push(`  - ${JSON.stringify(p)}`);
  } else out.push("ignorePaths: []  # default");
  out.push(`failOn: ${input.failOn}  # ${origin(flags.failOn, c.failOn !== undefined)}`);

  out.push(...(await fileSection(abs, stat.isDirectory(), input)));
  return out.join("\n") + "\n";
}

async function fileSection(abs: string, isDir: boolean, input: PrintConfigInput) {
  const { cwd, config } = input;
  const shown = rel(abs, input.cwd) || ".";
  const out: string[] = [""];
  if (isDir) {
    out.push(`# ${shown} is a directory: the settings above apply to every file linted in it.`);
    return out;
  }
  const kind = fileKindOf(abs);
  if (!kind) {
    out.push(
      `# ${shown}: not a YAML, JSON or Dockerfile name; a directory walk passes it over (named on the command line, it is read as YAML).`,
    );
  } else if (input.noIgnore) {
    out.push(`# ${shown}: linted (--no-ignore: no ignore file or ignorePaths applies).`);
  } else {
    const matched = config?.config.ignorePaths?.length ? matchingPattern(abs, config) : null;
    let skipped = matched !== null;
    if (!skipped) {
      const found = discover([path.dirname(abs)], {
        cwd,
        ignoreGroups: config?.config.ignorePaths?.length
          ? [{ base: config.dir, patterns: config.config.ignorePaths }]
          : undefined,
      });
      skipped = !found.files.some((f) => f.path === abs);
    }
    out.push(
      matched !== null
        ? `# ${shown}: skipped in directory walks: ignorePaths pattern ${JSON.stringify(matched)} matches it (named on the command line, it is still linted).`
        : skipped
          ? `# ${shown}: skipped in directory walks by a .gitignore, .git/info/exclude or .drainlintignore entry (named on the command line, it is still linted).`
          : `# ${shown}: linted.`,
    );
  }
  let text: string;
  try {
    text = await fs.readFile(abs, "utf8");
  } catch {
    return out;
  }
  for (const d of scanComments(text, RULE_IDS)) {
    const ids = [...d.rules, ...d.unknown].join(", ") || "every rule";
    const scope = d.kind === "file" ? "the whole file" : `line ${d.line + 1}`;
    out.push(
      `# line ${d.line}: drainlint-disable-${d.kind} ${ids}: suppresses ${ids === "every rule" ? "every rule" : "these rules"} on ${scope}${d.unknown.length ? ` (${d.unknown.join(", ")}: not a rule)` : ""}`,
    );
  }
  if (kind === "dockerfile") return out;
  for (const doc of Array.from(parseAllDocuments(text, { prettyErrors: false }))) {
    if (doc.errors.length) continue;
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch {
      continue;
    }
    if (!raw || typeof raw !== "object") continue;
    const obj = raw as Record<string, unknown>;
    const name =
      `${String(obj.kind ?? "object")} ${String((obj.metadata as Record<string, unknown> | undefined)?.name ?? "")}`.trim();
    for (const [key, value] of drainlintAnnotations(obj)) {
      const meaning =
        key === "drainlint.dev/ignore"
          ? "these rules are not reported for this object"
          : key in SECONDS_ANNOTATIONS
            ? `overrides ${SECONDS_ANNOTATIONS[key as keyof typeof SECONDS_ANNOTATIONS]} for this object`
            : key === "drainlint.dev/ignore-reason"
              ? "the reason for drainlint.dev/ignore"
              : "not a drainlint annotation (invalid-annotation reports it)";
      out.push(`# ${name}: ${key}: ${JSON.stringify(value)}: ${meaning}`);
    }
  }
  return out;
}

function matchingPattern(abs: string, config: LoadedConfig): string | null {
  const r = path.relative(config.dir, abs);
  if (!r || r.startsWith("..") || path.isAbsolute(r)) return null;
  const res = ignore()
    .add(config.config.ignorePaths ?? [])
    .test(r.split(path.sep).join("/"));
  return res.ignored ? (res.rule?.pattern ?? "?") : null;
}

/** drainlint.dev/* annotations anywhere under a `metadata` key (object and pod templates). */
function drainlintAnnotations(obj: unknown, depth = 0): [string, unknown][] {
  if (!obj || typeof obj !== "object" || depth > 12) return [];
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === "metadata" && v && typeof v === "object") {
      const ann = (v as Record<string, unknown>).annotations;
      if (ann && typeof ann === "object")
        for (const [ak, av] of Object.entries(ann as Record<string, unknown>))
          if (ak.startsWith("drainlint.dev/")) out.push([ak, av]);
    } else if (v && typeof v === "object") out.push(...drainlintAnnotations(v, depth + 1));
  }
  return out;
}

/**
 * The lint pipeline: sources → documents → workload views → bundle pass (Services,
 * Rollouts) → rules → precedence (one problem, one finding) → suppression → sorted findings.
 * `lintSources` is synchronous and pure over its inputs; `lint` adds discovery and reading.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { isMap, isSeq, type Node as YNode } from "yaml";
import { rules as registry } from "../../rules/index.js";
import { discover, type DiscoveredFile } from "../discover.js";
import { Locator, type Path } from "../model/locate.js";
import {
  buildService,
  buildWorkload,
  isListKind,
  isRecord,
  linkWorkloads,
  isModelDocument,
  rolloutRefsOf,
  type RolloutRef,
  objectRef,
  type ServiceView,
  type WorkloadView,
} from "../model/workload.js";
import { collectionKeyOffset, parseYaml, type ParsedYaml } from "../parse/yaml.js";
import { ReadError, SourceReader, stdinSource, displayPathOf, unreadableSource } from "../read.js";
import {
  defaultSettings,
  SEVERITY_RANK,
  type Finding,
  type LintSettings,
  type ObjectRef,
  type Severity,
  type SourceFile,
  type Span,
} from "../types.js";
import { annotationProblems, ignoredRules } from "./annotations.js";
import type { Report, Rule, RuleMeta } from "./rule.js";
import { covers, scanComments, unusedDirectiveMessage, type Directive } from "./suppress.js";
import {
  configIgnore,
  overlaySettings,
  resolveConfig,
  settingsFromConfig,
  type ConfigInput,
} from "../config/merge.js";
import { didYouMean, plural } from "../util/text.js";
import { fileKindOf } from "../discover.js";
import { EarlyWorkers, lintChunked } from "./workers.js";
import { lintDockerfile } from "./dockerfile.js";

export const RULES: ReadonlyArray<Rule> = registry as ReadonlyArray<Rule>;
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.meta.id));
const META = new Map<string, RuleMeta>(RULES.map((r) => [r.meta.id, r.meta]));

export class UsageError extends Error {}

/** What a finding came from, kept beside it until output (not part of the JSON contract). */
interface Pending {
  finding: Finding;
  meta: RuleMeta;
  topics: string[];
  /** Object identity within the run (file + document + path), or null for file-level. */
  objectKey: string | null;
  workload: WorkloadView | null;
  directives: Directive[];
}

export interface LintUnit {
  file: string;
  object: ObjectRef | null;
  source: { file: string } | null;
}

export interface Notice {
  file: string;
  message: string;
}

export interface LintSummary {
  files: number;
  objects: number;
  errors: number;
  warnings: number;
  infos: number;
  fixable: number;
}

export interface LintResult {
  findings: Finding[];
  summary: LintSummary;
  /** One-line problems with files that could not be read (binary, unreadable, …). */
  notices: Notice[];
  /** Every object and Dockerfile linted, for per-object reports (JUnit). */
  units: LintUnit[];
  /** The sources as read, for the fix engine. */
  sources: SourceFile[];
  /** Suppression directives, with what each suppressed (for --report-unused-disable). */
  directives: { file: string; directive: Directive }[];
}

export interface LintOptions {
  /** Files and directories; `-` reads `stdin`. Default `["."]`. */
  paths?: string[];
  cwd?: string;
  /** Standard input's content, used when `paths` contains `-`. */
  stdin?: Buffer | string;
  stdinFilename?: string;
  noIgnore?: boolean;
  /** gitignore-style patterns relative to `cwd` (config `ignorePaths`). */
  ignorePatterns?: string[];
  /** Settings over the config file's (flags over config over defaults). */
  settings?: Partial<LintSettings>;
  /**
   * A config file path (relative to `cwd`), a loaded config (`loadConfigFile`), a config
   * object (validated like the file), or `true` to find `.drainlint.yaml` from `cwd` upward
   * as the CLI does. Default: none. Problems throw ConfigError (one line each).
   */
  config?: ConfigInput;
  /** Report suppressions that suppressed nothing (as `invalid-annotation` findings). */
  reportUnusedDisable?: boolean;
  /** Worker threads for big runs (0: none); default none below 16 MB, else one per core (≤ 4). */
  jobs?: number;
  /** Called as files are linted (for a progress display). */
  onProgress?: (done: number, total: number) => void;
  /**
   * When worker threads start, tune V8's optimising compiler and garbage collector for this
   * process (see `v8FlagsFor` in src/engine/workers.ts). The CLI, which owns its process,
   * asks for it; a library call never changes its host's V8 flags unasked.
   */
  tuneJit?: boolean;
}

/** `partial` (flags, API settings) over the defaults. */
export function resolveSettings(partial?: Partial<LintSettings>): LintSettings {
  return overlaySettings(defaultSettings(), partial);
}

/** Discovers, reads and lints. Throws UsageError for a path that does not exist. */
export async function lint(options: LintOptions = {}): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const config = resolveConfig(options.config, cwd);
  const settings = config
    ? overlaySettings(settingsFromConfig(config.config), options.settings)
    : resolveSettings(options.settings);
  const configIgnores = configIgnore(config);
  const paths = options.paths?.length ? options.paths : ["."];
  const sources: SourceFile[] = [];
  const notices: Notice[] = [];
  const fsPaths = paths.filter((p) => p !== "-");
  const found = discover(fsPaths, {
    cwd,
    noIgnore: options.noIgnore,
    ignorePatterns: options.ignorePatterns,
    ignoreGroups: configIgnores ? [configIgnores] : undefined,
  });
  if (found.missing.length)
    throw new UsageError(`no such file or directory: ${found.missing.join(", ")}`);
  // Workers for a big run start as soon as enough text is read (or foretold by the first
  // files), and load their code (then predict the run's links) while the rest is read.
  const early = new EarlyWorkers(
    options.jobs,
    options.tuneJit,
    found.files.length + (paths.includes("-") ? 1 : 0),
  );
  const take = (source: SourceFile) => {
    sources.push(source);
    early.add(source);
  };
  for (const n of found.notices)
    notices.push({ file: displayPathOf(n.path, cwd), message: n.message });
  try {
    if (paths.includes("-")) {
      const buf =
        typeof options.stdin === "string"
          ? Buffer.from(options.stdin)
          : (options.stdin ?? Buffer.alloc(0));
      const kind = (options.stdinFilename && fileKindOf(options.stdinFilename)) || "yaml";
      try {
        take(stdinSource(buf, options.stdinFilename, kind));
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        take(unreadableSource(null, options.stdinFilename ?? "<stdin>", kind, e));
      }
    }
    const reader = new SourceReader<DiscoveredFile>(cwd, (f, read) => {
      if (!(read instanceof ReadError)) return take(read);
      // Content that is not text is a finding (kubectl would reject the file too), except
      // a binary file met in a directory walk (git-crypt secrets, stray blobs): a notice.
      // File-system problems (permissions, vanished files) are notices: the content is
      // unknown.
      if (read.reason === "io" || (read.reason === "binary" && !f.explicit))
        notices.push({ file: displayPathOf(f.path, cwd), message: `${read.message}, skipped` });
      else take(unreadableSource(f.path, displayPathOf(f.path, cwd), f.kind, read));
    });
    for (const f of found.files) reader.read(f.path, f.kind, f);
    reader.flush();
  } catch (e) {
    early.close();
    throw e;
  }
  const result = await lintChunked(
    sources,
    settings,
    { cwd, reportUnusedDisable: options.reportUnusedDisable },
    { jobs: options.jobs, onProgress: options.onProgress, early },
  );
  result.notices.unshift(...notices);
  result.summary.files += notices.filter((n) =>
    found.files.some((f) => displayPathOf(f.path, cwd) === n.file),
  ).length;
  return result;
}

interface FileState {
  source: SourceFile;
  parsed: ParsedYaml | null;
  directives: Directive[];
}

interface ChartGroup {
  root: string;
  templates: { source: SourceFile; line: number }[];
}

/** `<chart>/templates/…` where `<chart>/Chart.yaml` exists (or the templates/ parent), else null. */
export function chartRootOf(file: string): string | null {
  // Most paths have no such segment: cutting 8,317 of them took 8–13 ms of the serial
  // prefix before the first chunk (the 50 MB benchmark corpus), `includes` 1–2 ms.
  if (!file.includes("templates")) return null;
  const parts = file.split(path.sep);
  const idx = parts.lastIndexOf("templates");
  if (idx <= 0) return null;
  return parts.slice(0, idx).join(path.sep) || path.sep;
}

export const TEMPLATE_RE = /\{\{[\s\S]*?\}\}/;

/** The first `{{ … }}` placeholder of a text (`includes` first: 4 times faster without one). */
export function firstTemplate(text: string): RegExpExecArray | null {
  return text.includes("{{") ? TEMPLATE_RE.exec(text) : null;
}

/** A `.json` file that holds no `"kind"` is not a Kubernetes object: passed over unparsed. */
export function isNonKubernetesJson(source: SourceFile): boolean {
  return source.kind === "json" && !/"kind"\s*:/.test(source.text);
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export interface LintSourcesOptions {
  cwd?: string;
  reportUnusedDisable?: boolean;
  /**
   * Services and Rollout references of the whole run, when `sources` is one chunk of it
   * (src/engine/workers.ts); by default those of `sources`.
   */
  link?: LinkData;
  /** Receives the Services and Rollout references found in `sources` (to check `link`). */
  onLinked?: (local: LinkData) => void;
  /** Compose every document, even those no rule reads (for comparisons); default true. */
  prefilter?: boolean;
}

/** The cross-file inputs of the bundle pass, as plain data. */
export interface LinkData {
  services: ServiceView[];
  rollouts: RolloutRef[];
}

export function lintSources(
  sources: SourceFile[],
  settings: LintSettings,
  opts: LintSourcesOptions = {},
): LintResult {
  const cwd = opts.cwd ?? process.cwd();
  const pending: Pending[] = [];
  const units: LintUnit[] = [];
  const workloads: WorkloadView[] = [];
  const services: ServiceView[] = [];
  const states: FileState[] = [];
  const charts = new Map<string, ChartGroup>();
  let objects = 0;

  const push = (
    meta: RuleMeta,
    source: SourceFile,
    at: Span,
    report: Omit<Report, "at">,
    w: WorkloadView | null,
    container: string | null,
    state: FileState | null,
    helmSource: string | null = w?.helmSource ?? null,
    objectKey: string | null = w ? workloadKey(w) : null,
  ) => {
    pending.push({
      finding: {
        ruleId: meta.id,
        severity: meta.severity,
        message: report.message,
        file: source.displayPath,
        line: at.line,
        column: at.column,
        endLine: at.endLine,
        endColumn: at.endColumn,
        object: w ? w.ref : null,
        container: report.container !== undefined ? report.container : container,
        source: helmSource ? { file: helmSource } : null,
        suggestions: report.suggestions,
        // Helm-rendered documents are never rewritten (the chart is the source; SPEC §7):
        // their findings keep the suggestion but carry no autofix, so "fixable" counts what
        // --fix really changes.
        fix: helmSource ? null : (report.fix ?? null),
        ...(report.budget ? { budget: report.budget } : {}),
      },
      meta,
      topics: report.topics ?? [],
      objectKey,
      workload: w,
      directives: state?.directives ?? [],
    });
  };

  /** A finding of the file itself, not of an object (parse errors, templates). */
  const pushFile = (
    id: string,
    source: SourceFile,
    at: Span,
    report: Omit<Report, "at">,
    state: FileState | null,
    helmSource: string | null = null,
  ) => push(META.get(id)!, source, at, report, null, null, state, helmSource, null);

  // 1. Parse every YAML source into objects; Dockerfiles are counted as units.
  for (const source of sources) {
    const state: FileState = {
      source,
      parsed: null,
      directives: scanComments(source.text, RULE_IDS),
    };
    states.push(state);
    if (source.problem) {
      const p = source.problem;
      const span = pointSpan(p.line, p.column, 0);
      pushFile(
        "parse-error",
        source,
        span,
        {
          message: `File not linted: ${p.message}.`,
          suggestions: [
            {
              description:
                "Save manifests and Dockerfiles as UTF-8 text, or do not pass non-text files to drainlint.",
            },
          ],
        },
        state,
      );
      continue;
    }
    if (source.kind === "dockerfile") {
      units.push({ file: source.displayPath, object: null, source: null });
      objects++;
      // One Dockerfile is one object for precedence (one PID 1, one STOPSIGNAL).
      const key = `${source.displayPath}#dockerfile`;
      lintDockerfile(source, RULES, settings, (meta, r) =>
        push(meta, source, r.at, r, null, null, state, null, key),
      );
      continue;
    }
    if (isNonKubernetesJson(source)) continue;
    const tmpl = firstTemplate(source.text);
    const chartRoot = source.path ? chartRootOf(source.path) : null;
    if (tmpl && chartRoot) {
      const g = charts.get(chartRoot) ?? { root: chartRoot, templates: [] };
      g.templates.push({ source, line: lineOfOffset(source.text, tmpl.index) });
      charts.set(chartRoot, g);
      continue;
    }
    // Documents no rule reads are not composed (SPEC §9), except in a template, whose
    // placeholders are found in the composed nodes.
    const keep = opts.prefilter === false || tmpl ? undefined : isModelDocument;
    const parsed = parseYaml(source.text, { keep });
    state.parsed = parsed;
    let templateReported = false;
    let nextSkipped = 0;
    // Uncomposed documents still count as objects (and JUnit units), in document order.
    const flushSkipped = (before: number) => {
      for (; nextSkipped < parsed.skipped.length; nextSkipped++) {
        const s = parsed.skipped[nextSkipped];
        if (s.index >= before) break;
        if (s.apiVersion === null || s.kind === null) continue;
        objects++;
        const { apiVersion, kind, name, namespace } = s;
        units.push({
          file: source.displayPath,
          object: { apiVersion, kind, name, namespace },
          source: s.helmSource ? { file: s.helmSource } : null,
        });
      }
    };
    for (const ydoc of parsed.docs) {
      flushSkipped(ydoc.index);
      // {{ … }} placeholders outside a chart either break the YAML or turn into a mapping
      // used as a key (`name: {{ x }}`): one notice for the file, not a parse error.
      const templateAt = tmpl ? (ydoc.error?.offset ?? collectionKeyOffset(ydoc.doc)) : null;
      if (templateAt !== null) {
        if (!templateReported) {
          templateReported = true;
          const span = templateSpan(source.text, templateAt);
          pushFile(
            "helm-template-unrendered",
            source,
            span,
            {
              message: `${source.displayPath} looks like an unrendered template ({{ … }} near line ${span.line} is not YAML); render it first (helm template, envsubst, …) and lint the output, for example \`helm template <chart> | drainlint -\`.`,
              suggestions: [
                {
                  description: "Lint the rendered output instead of the template.",
                  snippet: "helm template my-release ./chart | drainlint -",
                },
              ],
            },
            state,
          );
        }
        continue;
      }
      if (ydoc.error) {
        const err = ydoc.error;
        const span = pointSpan(err.line, err.column, err.offset);
        pushFile(
          "parse-error",
          source,
          span,
          {
            message: `YAML syntax error: ${err.message}. This document is not linted; the rest of the file is.`,
            suggestions: [
              {
                description:
                  "Fix the YAML syntax at this position (check indentation, quotes and brackets).",
              },
            ],
          },
          state,
          ydoc.helmSource,
        );
        continue;
      }
      const root = ydoc.contents;
      if (!root || !isMap(root)) continue;
      let raw: unknown;
      try {
        raw = ydoc.doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        const span = new Locator(ydoc.doc, parsed.lineCounter, root).rootSpan();
        pushFile(
          "parse-error",
          source,
          span,
          {
            message: `YAML cannot be expanded: ${expansionProblem(e)}. This document is not linted.`,
            suggestions: [
              {
                description:
                  "Reduce alias nesting (aliases may expand to at most 100 times their anchors' nodes).",
              },
            ],
          },
          state,
          ydoc.helmSource,
        );
        continue;
      }
      if (!isRecord(raw) || typeof raw.kind !== "string" || typeof raw.apiVersion !== "string")
        continue;
      const items: { raw: Record<string, unknown>; node: YNode | null; path: Path }[] = [];
      if (isListKind(raw.apiVersion, raw.kind, raw)) {
        const listLoc = new Locator(ydoc.doc, parsed.lineCounter, root);
        const itemsNode = listLoc.valueAt(["items"]);
        (raw.items as unknown[]).forEach((item, i) => {
          if (!isRecord(item)) return;
          const node = isSeq(itemsNode) ? listLoc.deref(itemsNode.items[i]) : null;
          items.push({ raw: item, node, path: ["items", i] });
        });
      } else items.push({ raw, node: root, path: [] });
      for (const item of items) {
        if (typeof item.raw.kind !== "string") continue;
        objects++;
        units.push({
          file: source.displayPath,
          object: objectRef(item.raw),
          source: ydoc.helmSource ? { file: ydoc.helmSource } : null,
        });
        const locator = new Locator(ydoc.doc, parsed.lineCounter, item.node, item.path);
        const svc = buildService(item.raw);
        if (svc) services.push(svc);
        const w = buildWorkload({
          file: source,
          docIndex: ydoc.index,
          objectPath: item.path,
          locator,
          raw: item.raw,
          helmSource: ydoc.helmSource,
        });
        if (w) workloads.push(w);
      }
    }
    flushSkipped(Infinity);
  }

  // 2. Unrendered charts: one finding per chart (SPEC §1).
  for (const g of [...charts.values()].sort((a, b) => (a.root < b.root ? -1 : 1))) {
    const chartYaml = path.join(g.root, "Chart.yaml");
    const first = [...g.templates].sort((a, b) =>
      a.source.displayPath < b.source.displayPath ? -1 : 1,
    )[0];
    const hasChart = existsSync(chartYaml);
    const at = hasChart ? displayPathOf(chartYaml, cwd) : first.source.displayPath;
    const chartName = displayPathOf(g.root, cwd) || ".";
    const state = states.find((s) => s.source === first.source) ?? null;
    const pseudo: SourceFile = { ...first.source, displayPath: at };
    pushFile(
      "helm-template-unrendered",
      pseudo,
      spanAtLine(hasChart ? "" : first.source.text, 1),
      {
        message: `The Helm chart ${chartName} is not rendered (${plural(g.templates.length, "template")} with {{ … }}, first ${first.source.displayPath}:${first.line}); its templates are not YAML and were not linted. Render the chart and lint the output: \`helm template ${chartName} | drainlint -\`.`,
        suggestions: [
          {
            description: "Lint the rendered chart.",
            snippet: `helm template ${chartName} | drainlint -`,
          },
        ],
      },
      hasChart ? null : state,
    );
  }

  // 3. The bundle pass, then the rules.
  opts.onLinked?.({ services, rollouts: rolloutRefsOf(workloads) });
  linkWorkloads(workloads, opts.link?.services ?? services, opts.link?.rollouts);
  const stateOf = new Map(states.map((s) => [s.source, s]));
  for (const w of workloads) {
    const state = stateOf.get(w.file)!;
    for (const p of annotationProblems(w, RULE_IDS)) {
      const at = w.locator.at(w.annotationPaths[p.key]) ?? w.locator.rootSpan();
      push(
        META.get("invalid-annotation")!,
        w.file,
        at,
        {
          message: p.message,
          suggestions: [{ description: "Correct or remove the annotation." }],
        },
        w,
        null,
        state,
      );
    }
    for (const rule of RULES) {
      const meta = rule.meta;
      if (!rule.check || (meta.appliesTo === "serving" && !w.serving)) continue;
      if (meta.target === "pod") {
        const check = rule.check as (v: WorkloadView, ctx: unknown) => void;
        check(w, {
          settings,
          workload: w,
          report: (r: Report) => push(meta, w.file, r.at, r, w, null, state),
        });
      } else if (meta.target === "container") {
        const check = rule.check as (v: unknown, ctx: unknown) => void;
        for (const c of w.containers) {
          check(c, {
            settings,
            workload: w,
            report: (r: Report) => push(meta, w.file, r.at, r, w, c.name, state),
          });
        }
      }
    }
  }

  // 4. Precedence, severity overrides, suppression.
  const annotationDirectives = new Map<WorkloadView, { directive: Directive; at: Span }>();
  for (const w of workloads) {
    const key = "drainlint.dev/ignore";
    if (w.annotations[key] === undefined) continue;
    const { rules, unknown } = ignoredRules(w, RULE_IDS);
    const at = w.locator.at(w.annotationPaths[key]) ?? w.locator.rootSpan();
    const directive: Directive = {
      kind: "annotation",
      rules,
      unknown,
      line: at.line,
      column: at.column,
      endColumn: at.endColumn,
      reason: w.annotations["drainlint.dev/ignore-reason"] ?? null,
      used: new Set(),
    };
    annotationDirectives.set(w, { directive, at });
  }
  const kept = applyPrecedence(pending).filter((p) => {
    const level = settings.rules[p.meta.id];
    if (level === "off") return false;
    if (level) p.finding.severity = level;
    return !isSuppressed(p, annotationDirectives);
  });
  if (opts.reportUnusedDisable) {
    // Reported as invalid-annotation (drainlint's rule for its own directives), after
    // suppression so that no directive can hide them; `off` for that rule does not silence
    // an explicit --report-unused-disable (it keeps the default severity then).
    const meta = META.get("invalid-annotation")!;
    const level = settings.rules[meta.id];
    const start = pending.length;
    const hint = (id: string) => didYouMean(id, [...RULE_IDS]);
    for (const state of states)
      for (const d of state.directives) {
        const message = unusedDirectiveMessage(d, RULE_IDS, hint);
        if (!message) continue;
        const line = spanAtLine(state.source.text, d.line);
        const at: Span = {
          ...line,
          column: d.column,
          endColumn: d.endColumn,
          offset: line.offset + d.column - 1,
          endOffset: line.offset + d.endColumn - 1,
        };
        const description = "Remove the comment, or the rule ids in it that suppress nothing.";
        push(meta, state.source, at, { message, suggestions: [{ description }] }, null, null, null);
      }
    for (const [w, { directive, at }] of annotationDirectives) {
      const message = unusedDirectiveMessage(directive, RULE_IDS, hint);
      if (!message) continue;
      const unused = directive.rules.filter((id) => !directive.used.has(id));
      const left = directive.rules.filter((id) => directive.used.has(id));
      const suggestions = [
        {
          description: left.length
            ? `Keep only the ids that suppress something.`
            : `Remove the drainlint.dev/ignore annotation (it suppresses nothing).`,
          ...(left.length ? { snippet: `drainlint.dev/ignore: "${left.join(", ")}"` } : {}),
        },
      ];
      push(meta, w.file, at, { message, suggestions, topics: unused }, w, null, null);
    }
    for (const p of pending.splice(start)) {
      if (level && level !== "off") p.finding.severity = level;
      kept.push(p);
    }
  }

  // Built in a loop from an array literal, and sorted only when there are two: the array the
  // sort is given then always has the same hidden class. `kept.map(…)` gave an empty chunk's
  // array another one, and the optimised lintSources was thrown away (V8's "wrong map") and
  // compiled again, about 0.1 s of TurboFan per worker.
  const findings: Finding[] = [];
  for (const p of kept) findings.push(p.finding);
  if (findings.length > 1) findings.sort(compareFindings);
  const summary: LintSummary = { files: sources.length, objects, ...findingCounts(findings) };
  const directives = states.flatMap((s) =>
    s.directives.map((d) => ({ file: s.source.displayPath, directive: d })),
  );
  for (const [w, { directive }] of annotationDirectives)
    directives.push({ file: w.file.displayPath, directive });
  return { findings, summary, notices: [], units, sources, directives };
}

/** Why `toJS` gave up, in words: an alias bomb, or nesting deeper than the stack. */
function expansionProblem(e: unknown): string {
  if (e instanceof RangeError) return "the document is nested too deeply to be read";
  const message = e instanceof Error ? e.message : String(e);
  return /alias count/i.test(message)
    ? "its aliases expand to too many nodes (an alias bomb?)"
    : message.split("\n")[0];
}

function spanAtLine(text: string, line: number): Span {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) break;
    offset = nl + 1;
  }
  const end = text.indexOf("\n", offset);
  const lineText = text.slice(offset, end < 0 ? text.length : end).replace(/\r$/, "");
  return {
    line,
    column: 1,
    endLine: line,
    endColumn: lineText.length + 1,
    offset,
    endOffset: offset + lineText.length,
  };
}

/** The `{{` on the line of `offset` (or the line's first non-blank character). */
function templateSpan(text: string, offset: number): Span {
  const line = spanAtLine(text, lineOfOffset(text, offset));
  const lineText = text.slice(line.offset, line.endOffset);
  const at = lineText.indexOf("{{");
  const col = at >= 0 ? at : Math.max(0, lineText.search(/\S/));
  const end = at >= 0 ? lineText.indexOf("}}", at) + 2 || lineText.length : lineText.length;
  return {
    ...line,
    column: col + 1,
    offset: line.offset + col,
    endColumn: Math.max(end, col) + 1,
    endOffset: line.offset + Math.max(end, col),
  };
}

/** An empty span at one position (parse errors point at where the parser stopped). */
function pointSpan(line: number, column: number, offset: number): Span {
  return { line, column, endLine: line, endColumn: column, offset, endOffset: offset };
}

function workloadKey(w: WorkloadView): string {
  return `${w.file.displayPath}#${w.docIndex}#${w.objectPath.join(".")}`;
}

/** The summary's counts of `findings` (lintSources, and workers.ts merging chunks). */
export function findingCounts(
  findings: Finding[],
): Pick<LintSummary, "errors" | "warnings" | "infos" | "fixable"> {
  const counts = { errors: 0, warnings: 0, infos: 0, fixable: 0 };
  for (const f of findings) {
    if (f.severity === "error") counts.errors++;
    else if (f.severity === "warning") counts.warnings++;
    else if (f.severity === "info") counts.infos++;
    if (f.fix !== null) counts.fixable++;
  }
  return counts;
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** One problem, one finding (SPEC §2): drop findings a silencing rule already covers. */
function applyPrecedence(all: Pending[]): Pending[] {
  // Only findings on the same object can silence each other: compare within those (the
  // whole-run comparison was quadratic in the number of findings).
  const byObject = new Map<string, Pending[]>();
  for (const p of all) {
    if (p.objectKey === null) continue;
    const list = byObject.get(p.objectKey);
    if (list) list.push(p);
    else byObject.set(p.objectKey, [p]);
  }
  return all.filter((p) => {
    const silencers = p.meta.silencedBy;
    if (!silencers || p.objectKey === null) return true;
    const sameObject = byObject.get(p.objectKey)!;
    return !silencers.some((s) =>
      sameObject.some(
        (q) =>
          q !== p &&
          q.meta.id === s.rule &&
          (q.finding.container === null || q.finding.container === p.finding.container) &&
          (!s.topics || q.topics.some((t) => s.topics!.includes(t))),
      ),
    );
  });
}

function isSuppressed(
  p: Pending,
  annotationDirectives: Map<WorkloadView, { directive: Directive }>,
): boolean {
  let suppressed = false;
  const annotation = p.workload ? annotationDirectives.get(p.workload)?.directive : undefined;
  if (annotation && annotation.rules.includes(p.meta.id) && p.meta.id !== "invalid-annotation") {
    suppressed = true;
    annotation.used.add(p.meta.id);
  }
  for (const d of p.directives) {
    if (d.kind === "file" || d.kind === "next-line")
      if (covers(d, p.meta.id, p.finding.line)) suppressed = true;
  }
  return suppressed;
}

export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[threshold];
}

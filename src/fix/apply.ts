/**
 * The fix engine (SPEC §7, STYLE.md `src/fix`), after ESLint's source-code-fixer: a
 * finding's edits are merged into one replacement, replacements that overlap an earlier one
 * wait for the next pass, the rest are applied left to right; the run is re-parsed and
 * re-linted, at most 10 passes. A file keeps its fixes only if it parsed cleanly, every
 * pass's output parses, and the final lint shows the fixed findings gone; otherwise it
 * keeps its original text and says why. Nothing here writes to disk (see write.ts).
 */
import { lintSources, type LintResult, type LintSourcesOptions } from "../engine/lint.js";
import { parseYaml } from "../parse/yaml.js";
import type { Edit, Finding, LintSettings, SourceFile } from "../types.js";

export const MAX_PASSES = 10;

/** One finding's edits as a single replacement of `text[start, end)`. */
interface Merged {
  start: number;
  end: number;
  text: string;
  finding: Finding;
}

export interface AppliedFixes {
  output: string;
  /** Findings whose fix is in `output` (a fix identical to an applied one counts as applied). */
  applied: Finding[];
  /** Findings whose fix overlapped an applied one, or whose edits were malformed. */
  skipped: Finding[];
}

/** Merges a finding's edits, filling the gaps between them with the original text. */
function mergeEdits(text: string, finding: Finding): Merged | null {
  const edits = [...(finding.fix?.edits ?? [])].sort((a, b) => a.start - b.start || a.end - b.end);
  if (edits.length === 0) return null;
  const valid = (e: Edit) =>
    Number.isInteger(e.start) &&
    Number.isInteger(e.end) &&
    e.start >= 0 &&
    e.start <= e.end &&
    e.end <= text.length &&
    typeof e.text === "string";
  if (!edits.every(valid)) return null;
  let out = "";
  let pos = edits[0].start;
  for (const e of edits) {
    if (e.start < pos) return null; // a finding's own edits overlap: refuse it whole
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return { start: edits[0].start, end: pos, text: out, finding };
}

/** Applies the fixes of `findings` (those with one) to `text`, left to right, without overlaps. */
export function applyFixes(text: string, findings: readonly Finding[]): AppliedFixes {
  const applied: Finding[] = [];
  const skipped: Finding[] = [];
  const merged: Merged[] = [];
  for (const f of findings) {
    if (!f.fix) continue;
    const m = mergeEdits(text, f);
    if (m) merged.push(m);
    else skipped.push(f);
  }
  merged.sort((a, b) => a.start - b.start || a.end - b.end);
  let output = "";
  let pos = 0;
  let last: Merged | null = null;
  for (const m of merged) {
    if (last && m.start === last.start && m.end === last.end && m.text === last.text) {
      applied.push(m.finding); // the same change, asked for by two findings (one per container)
      continue;
    }
    // Touching counts as overlapping (as in ESLint): the later fix waits for the next pass.
    if (last && m.start <= last.end) {
      skipped.push(m.finding);
      continue;
    }
    output += text.slice(pos, m.start) + m.text;
    pos = m.end;
    last = m;
    applied.push(m.finding);
  }
  output += text.slice(pos);
  return { output, applied, skipped };
}

/** Identity of a finding across passes (positions and messages change when text moves). */
export function findingKey(f: Finding): string {
  const o = f.object;
  const obj = o ? `${o.apiVersion}/${o.kind}/${o.namespace ?? ""}/${o.name}` : "";
  return `${f.ruleId}|${f.file}|${obj}|${f.container ?? ""}|${f.source?.file ?? ""}`;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a file's text cannot be taken as it is, or null when it parses cleanly. With
 * `original`, the text is a fix of it: a file that was strict JSON must stay strict JSON.
 */
export function parseProblem(source: SourceFile, text: string, original?: string): string | null {
  if (source.kind === "dockerfile") return null;
  const parsed = parseYaml(text);
  if (parsed.helmDryRun) return "Helm --dry-run output is never rewritten";
  const bad = parsed.docs.find((d) => d.error);
  if (bad) return `YAML error at line ${bad.error!.line}: ${bad.error!.message}`;
  if (original !== undefined) {
    const before = parseYaml(original).docs.length;
    if (parsed.docs.length !== before)
      return `${parsed.docs.length} documents instead of ${before}`;
    if (source.kind === "json" && isJson(original) && !isJson(text)) return "no longer valid JSON";
  }
  return null;
}

export interface FileFix {
  source: SourceFile;
  /** The fixed text (the original text when nothing was applied or the file was refused). */
  output: string;
  /** Findings fixed in `output`, from the pass that fixed them. */
  fixed: Finding[];
  /**
   * Why the file keeps its original text although it had fixable findings, else null.
   * `input`: the file itself cannot be fixed safely (parse error, Helm --dry-run output);
   * `fix`: a fix misbehaved (unreadable output, or its finding survived): a rule bug.
   */
  refused: { cause: "input" | "fix"; message: string } | null;
}

export interface FixRun {
  files: FileFix[];
  /** The lint of the final texts (what remains after fixing). */
  result: LintResult;
  passes: number;
}

export interface FixOptions extends Pick<LintSourcesOptions, "cwd" | "reportUnusedDisable"> {
  /** The lint of `sources` as they are, when the caller already has it. */
  initial?: LintResult;
  maxPasses?: number;
}

/** A finding the engine may apply: it has edits and does not come from Helm-rendered output. */
export function isAutofixable(f: Finding): boolean {
  return f.fix !== null && f.fix.edits.length > 0 && f.source === null;
}

/**
 * Fixes every source in memory. Files are linted together in every pass (a Service in one
 * file changes what a workload in another must have), so offsets always index the text of
 * the pass that produced them.
 */
export function fixSources(
  sources: readonly SourceFile[],
  settings: LintSettings,
  opts: FixOptions = {},
): FixRun {
  const lintOpts: LintSourcesOptions = {
    cwd: opts.cwd ?? process.cwd(),
    reportUnusedDisable: opts.reportUnusedDisable,
  };
  const maxPasses = opts.maxPasses ?? MAX_PASSES;
  const states = sources.map((source) => ({
    source,
    text: source.text,
    fixed: [] as Finding[],
    refused: null as FileFix["refused"],
    checkedOriginal: false,
  }));
  const byName = new Map(states.map((s) => [s.source.displayPath, s]));
  const current = () => states.map((s) => ({ ...s.source, text: s.text }));

  let result = opts.initial ?? lintSources(current(), settings, lintOpts);
  let passes = 0;
  while (passes < maxPasses) {
    const perFile = new Map<string, Finding[]>();
    for (const f of result.findings) {
      if (!isAutofixable(f)) continue;
      const state = byName.get(f.file);
      if (!state || state.refused) continue;
      perFile.set(f.file, [...(perFile.get(f.file) ?? []), f]);
    }
    let changed = false;
    for (const [file, findings] of perFile) {
      const state = byName.get(file)!;
      if (!state.checkedOriginal) {
        state.checkedOriginal = true;
        const problem =
          parseProblem(state.source, state.source.text) ??
          (result.findings.some((f) => f.file === file && f.ruleId === "parse-error")
            ? "it has a parse error"
            : null);
        if (problem) {
          state.refused = { cause: "input", message: `not fixed: ${problem}` };
          continue;
        }
      }
      const { output, applied } = applyFixes(state.text, findings);
      if (output === state.text) continue;
      const problem = parseProblem(state.source, output, state.text);
      if (problem) {
        const rules = [...new Set(applied.map((f) => f.ruleId))].join(", ");
        state.refused = {
          cause: "fix",
          message: `not fixed: the fix of ${rules} would leave the file unreadable (${problem})`,
        };
        state.text = state.source.text;
        state.fixed = [];
        changed = true;
        continue;
      }
      state.text = output;
      state.fixed.push(...applied);
      changed = true;
    }
    if (!changed) break;
    passes++;
    result = lintSources(current(), settings, lintOpts);
  }

  // A fix that did not remove its finding is not trusted: the file keeps its original text.
  const remaining = new Set(result.findings.map(findingKey));
  let reverted = false;
  for (const s of states) {
    const stuck = s.fixed.filter((f) => remaining.has(findingKey(f)));
    if (s.refused || stuck.length === 0) continue;
    const rules = [...new Set(stuck.map((f) => f.ruleId))].join(", ");
    s.refused = {
      cause: "fix",
      message: `not fixed: after fixing, ${rules} still reports the same problem`,
    };
    s.text = s.source.text;
    s.fixed = [];
    reverted = true;
  }
  if (reverted) result = lintSources(current(), settings, lintOpts);
  if (opts.initial && result !== opts.initial) {
    // Files that could not be read are not sources: keep their notices and their count.
    result.notices.unshift(...opts.initial.notices);
    result.summary.files = opts.initial.summary.files;
  }

  return {
    files: states.map((s) => ({
      source: s.source,
      output: s.text,
      fixed: s.fixed,
      refused: s.refused,
    })),
    result,
    passes,
  };
}

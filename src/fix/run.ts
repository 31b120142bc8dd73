/**
 * `--fix` and `--fix-dry-run` for the command line (SPEC §5, §7): fix in memory, then either
 * print a unified diff (dry run) or write each changed file atomically. Standard input is
 * never rewritten: with `--fix` its fixed text is printed. The returned result is the lint
 * of what is (or would be) on disk afterwards.
 */
import { lintSources, type LintResult } from "../engine/lint.js";
import type { LintSettings, SourceFile } from "../types.js";
import { fixSources } from "./apply.js";
import { writeFixed, WriteError } from "./write.js";

export interface FixOutcome {
  /** The lint of the texts after fixing (what remains). */
  result: LintResult;
  /** For standard output: the unified diff (dry run) or standard input's fixed text. */
  output: string;
  /** One line each, for standard error: refusals, failed writes, the tally. */
  messages: string[];
  fixedFindings: number;
  fixedFiles: number;
}

export async function runFixes(
  initial: LintResult,
  settings: LintSettings,
  opts: { cwd: string; dryRun: boolean; reportUnusedDisable?: boolean },
): Promise<FixOutcome> {
  const lintOpts = { cwd: opts.cwd, reportUnusedDisable: opts.reportUnusedDisable };
  const run = fixSources(initial.sources, settings, { ...lintOpts, initial });
  const messages: string[] = [];
  const finalText = new Map<SourceFile, string>();
  let output = "";
  let fixedFindings = 0;
  let fixedFiles = 0;
  let reverted = false;
  const diff = opts.dryRun ? await import("diff") : null;

  for (const f of run.files) {
    const name = f.source.displayPath;
    if (f.refused) messages.push(`drainlint: ${name}: ${f.refused.message}`);
    const changed = f.output !== f.source.text;
    if (diff) {
      if (changed)
        output += diff.createTwoFilesPatch(
          `a/${name}`,
          `b/${name}`,
          f.source.text,
          f.output,
          undefined,
          undefined,
          { headerOptions: diff.FILE_HEADERS_ONLY },
        );
    } else if (f.source.path === null) {
      output += (f.source.bom ? "\uFEFF" : "") + f.output;
    } else if (changed) {
      try {
        await writeFixed(f.source, f.output);
      } catch (e) {
        if (!(e instanceof WriteError)) throw e;
        messages.push(`drainlint: ${name}: not fixed: ${e.message}`);
        finalText.set(f.source, f.source.text);
        reverted = true;
        continue;
      }
    }
    finalText.set(f.source, f.output);
    if (changed) {
      fixedFindings += f.fixed.length;
      fixedFiles++;
    }
  }

  let result = run.result;
  if (reverted) {
    const sources = initial.sources.map((s) => ({ ...s, text: finalText.get(s) ?? s.text }));
    result = lintSources(sources, settings, lintOpts);
    result.notices.unshift(...initial.notices);
    result.summary.files = initial.summary.files;
  }
  if (fixedFindings > 0) {
    const verb = opts.dryRun ? "would fix" : "fixed";
    messages.push(
      `drainlint: ${verb} ${fixedFindings} problem${fixedFindings === 1 ? "" : "s"} in ${fixedFiles} file${fixedFiles === 1 ? "" : "s"}`,
    );
  }
  return { result, output, messages, fixedFindings, fixedFiles };
}

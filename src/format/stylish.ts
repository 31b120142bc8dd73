/**
 * stylish: ESLint-like, grouped by file: `line:col  severity  message  rule-id`, then the
 * Helm source, the first suggestion and, for budget findings, a timeline of the grace period.
 */
import { Chalk } from "chalk";
import type { Finding } from "../types.js";
import type { FormatInput } from "./types.js";
import { renderTimeline } from "./timeline.js";

export default function formatStylish(input: FormatInput): string {
  const { result } = input;
  const c = new Chalk({ level: input.color ? 1 : 0 });
  const sev = (f: Finding) =>
    f.severity === "error"
      ? c.red("error")
      : f.severity === "warning"
        ? c.yellow("warning")
        : c.blue("info");
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  let out = "";
  for (const [file, findings] of byFile) {
    out += `\n${c.underline(file)}\n`;
    const posWidth = Math.max(...findings.map((f) => `${f.line}:${f.column}`.length));
    const indent = " ".repeat(posWidth + 4);
    for (const f of findings) {
      const pos = `${f.line}:${f.column}`.padEnd(posWidth);
      const sevText = sev(f) + " ".repeat(7 - f.severity.length);
      out += `  ${c.dim(pos)}  ${sevText}  ${f.message}  ${c.dim(f.ruleId)}\n`;
      const what = [
        f.object?.kind && f.object.name ? `${f.object.kind}/${f.object.name}` : null,
        f.container ? `container ${f.container}` : null,
      ]
        .filter(Boolean)
        .join(", ");
      if (what) out += `${indent}${c.dim("in")} ${what}\n`;
      if (f.source) out += `${indent}${c.dim("source:")} ${f.source.file}\n`;
      if (f.budget) for (const line of renderTimeline(f.budget, c)) out += `${indent}${line}\n`;
      const s = f.suggestions[0];
      if (s) out += `${indent}${c.green(f.fix ? "fix (--fix):" : "fix:")} ${s.description}\n`;
    }
  }
  const { errors, warnings, infos, fixable, files, objects } = result.summary;
  const total = errors + warnings + infos;
  if (total === 0) return `${c.green("✔")} No problems (${files} files, ${objects} objects)\n`;
  const problems = `${total} problem${total === 1 ? "" : "s"}`;
  const breakdown = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}, ${infos} info${infos === 1 ? "" : "s"}`;
  const mark = errors > 0 ? c.red.bold("✖") : c.yellow.bold("✖");
  out += `\n${mark} ${c.bold(`${problems} (${fixable} fixable with --fix)`)}: ${breakdown}\n`;
  return out;
}

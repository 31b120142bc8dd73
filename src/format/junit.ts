/**
 * junit: one <testcase> per linted object or Dockerfile (`LintResult.units`), grouped in one
 * <testsuite> per file. Errors and warnings fail the test case (one <failure>, its message
 * the finding's, every finding of the object in the body); info findings are not failures
 * and go to <system-out>. Findings outside any object (a document that does not parse, an
 * unrendered chart) get a test case named after the file; unreadable files are <error>s.
 */
import type { LintUnit } from "../engine/lint.js";
import type { Finding, ObjectRef } from "../types.js";
import type { FormatInput } from "./types.js";

function xml(s: string): string {
  return (
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      // Characters XML 1.0 cannot carry at all.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD")
  );
}

function objectKey(file: string, o: ObjectRef | null, source: { file: string } | null): string {
  if (!o) return `${file}\u0000`;
  return [file, o.apiVersion, o.kind, o.namespace, o.name, source?.file ?? ""].join("\u0000");
}

function caseName(u: LintUnit): string {
  if (!u.object) return u.file;
  const o = u.object;
  const id = `${o.kind ?? "?"}/${o.name ?? "(unnamed)"}`;
  const extra = [o.namespace ? `namespace ${o.namespace}` : null, u.source?.file ?? null].filter(
    Boolean,
  );
  return extra.length ? `${id} (${extra.join(", ")})` : id;
}

function findingLine(f: Finding): string {
  const s = f.suggestions[0];
  return (
    `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId}: ${f.message}` +
    (f.container ? `\n  container: ${f.container}` : "") +
    (f.source ? `\n  source: ${f.source.file}` : "") +
    (s ? `\n  fix: ${s.description}` : "")
  );
}

interface Case {
  name: string;
  file: string;
  findings: Finding[];
  error?: string;
}

export default function formatJunit(input: FormatInput): string {
  const { result } = input;
  const cases = new Map<string, Case>();
  const suites = new Map<string, Case[]>();
  const add = (key: string, c: Case) => {
    if (cases.has(key)) return cases.get(key)!;
    cases.set(key, c);
    const list = suites.get(c.file) ?? [];
    list.push(c);
    suites.set(c.file, list);
    return c;
  };
  for (const u of result.units)
    add(objectKey(u.file, u.object, u.source), { name: caseName(u), file: u.file, findings: [] });
  for (const f of result.findings) {
    const key = objectKey(f.file, f.object, f.source);
    const c =
      cases.get(key) ??
      add(key, {
        name: f.object ? caseName({ file: f.file, object: f.object, source: f.source }) : f.file,
        file: f.file,
        findings: [],
      });
    c.findings.push(f);
  }
  for (const n of result.notices)
    add(`${n.file}\u0000notice`, { name: n.file, file: n.file, findings: [], error: n.message });

  let body = "";
  let total = 0;
  let totalFailures = 0;
  let totalErrors = 0;
  for (const [file, list] of suites) {
    let cs = "";
    let failures = 0;
    let errors = 0;
    for (const c of list) {
      const failing = c.findings.filter((f) => f.severity !== "info");
      const infos = c.findings.filter((f) => f.severity === "info");
      cs += `    <testcase classname="${xml(file)}" name="${xml(c.name)}" file="${xml(file)}"`;
      if (!failing.length && !infos.length && !c.error) {
        cs += " />\n";
        continue;
      }
      cs += ">\n";
      if (c.error) {
        errors++;
        cs += `      <error message="${xml(c.error)}" type="unreadable">${xml(`${file}: ${c.error}`)}</error>\n`;
      }
      if (failing.length) {
        failures++;
        const first = failing[0];
        const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : "";
        cs +=
          `      <failure message="${xml(first.message + more)}" type="${xml(failing.map((f) => f.ruleId).join(", "))}">` +
          `${xml(failing.map(findingLine).join("\n"))}</failure>\n`;
      }
      if (infos.length)
        cs += `      <system-out>${xml(infos.map(findingLine).join("\n"))}</system-out>\n`;
      cs += "    </testcase>\n";
    }
    total += list.length;
    totalFailures += failures;
    totalErrors += errors;
    body +=
      `  <testsuite name="${xml(file)}" tests="${list.length}" failures="${failures}" errors="${errors}" skipped="0">\n` +
      cs +
      "  </testsuite>\n";
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="drainlint" tests="${total}" failures="${totalFailures}" errors="${totalErrors}">\n` +
    body +
    "</testsuites>\n"
  );
}

/**
 * github: GitHub Actions workflow commands, one per finding
 * (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`). Data and property
 * values are escaped as the runner expects (actions/toolkit `command.ts`): `%`, `\r`, `\n` in
 * both, and `:` and `,` in property values too.
 */
import type { Finding, Severity } from "../types.js";
import type { FormatInput } from "./types.js";

const COMMAND: Record<Severity, "error" | "warning" | "notice"> = {
  error: "error",
  warning: "warning",
  info: "notice",
};

export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function command(name: string, props: Record<string, string | number>, data: string): string {
  const list = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${name}${list ? " " + list : ""}::${escapeData(data)}`;
}

/** The annotation body: the message, where it comes from, and the first fix. */
export function annotationText(f: Finding): string {
  const lines = [f.message];
  const what = [
    f.object?.kind && f.object.name ? `${f.object.kind}/${f.object.name}` : null,
    f.container ? `container ${f.container}` : null,
  ].filter(Boolean);
  if (what.length) lines.push(`In ${what.join(", ")}.`);
  if (f.source) lines.push(`Rendered from Helm template ${f.source.file}.`);
  const s = f.suggestions[0];
  if (s) lines.push(`${f.fix ? "Fix (drainlint --fix)" : "Fix"}: ${s.description}`);
  return lines.join("\n");
}

export default function formatGithub(input: FormatInput): string {
  const out: string[] = [];
  for (const n of input.result.notices)
    out.push(command("warning", { file: n.file, title: "drainlint" }, n.message));
  for (const f of input.result.findings) {
    out.push(
      command(
        COMMAND[f.severity],
        {
          file: f.file,
          line: f.line,
          col: f.column,
          endLine: f.endLine,
          endColumn: f.endColumn,
          title: `drainlint ${f.ruleId}`,
        },
        annotationText(f),
      ),
    );
  }
  return out.length ? out.join("\n") + "\n" : "";
}

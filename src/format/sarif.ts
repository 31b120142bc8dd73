/**
 * sarif: SARIF 2.1.0 for GitHub code scanning (SPEC §6). Every rule is described (summary,
 * first paragraph of its doc, the doc as Markdown help, a help URI); results carry real
 * regions (UTF-16 columns, end exclusive), a fingerprint that survives unrelated edits, the
 * Helm source in the location's message, and `fixes` built from the autofix edits.
 */
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { RULES } from "../engine/lint.js";
import { ruleDocsUrl } from "../engine/rule.js";
import type { Edit, Finding, Severity, SourceFile } from "../types.js";
import { firstParagraph, ruleDocMarkdown } from "./rule-docs.js";
import type { FormatInput } from "./types.js";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  error: "error",
  warning: "warning",
  info: "note",
};

/** Line starts of a text, lines split on "\n" as the YAML LineCounter does. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line and UTF-16 column of an offset. */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return "";
    const end = this.starts[line] ?? this.text.length + 1;
    return this.text.slice(start, end - 1).replace(/\r$/, "");
  }
}

function artifactUri(file: string): string {
  return file.split("/").map(encodeURIComponent).join("/");
}

/** Stable across unrelated edits: no line numbers, only what identifies the problem. */
function fingerprintBase(f: Finding, lines: LineIndex | undefined): string {
  const snippet = lines ? lines.lineText(f.line).trim().replace(/\s+/g, " ") : "";
  const o = f.object;
  const parts = [
    f.ruleId,
    f.file,
    f.source?.file ?? "",
    o ? `${o.kind ?? ""}/${o.namespace ?? ""}/${o.name ?? ""}` : "",
    f.container ?? "",
    snippet,
  ];
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

function region(lines: LineIndex, start: number, end: number) {
  const a = lines.position(start);
  const b = lines.position(end);
  return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column };
}

function fixesOf(f: Finding, lines: LineIndex | undefined) {
  if (!f.fix || !lines || f.fix.edits.length === 0) return undefined;
  const replacements = [...f.fix.edits]
    .sort((a: Edit, b: Edit) => a.start - b.start)
    .map((e) => ({
      deletedRegion: region(lines, e.start, e.end),
      insertedContent: { text: e.text },
    }));
  return [
    {
      description: { text: f.fix.description },
      artifactChanges: [
        { artifactLocation: { uri: artifactUri(f.file), uriBaseId: "%SRCROOT%" }, replacements },
      ],
    },
  ];
}

function ruleDescriptor(meta: (typeof RULES)[number]["meta"]) {
  const markdown = ruleDocMarkdown(meta.id);
  const full = (markdown && firstParagraph(markdown)) || meta.summary;
  const fixKind = meta.fixable === "autofix" ? "autofix (--fix)" : "suggestion";
  const help = markdown ?? `${meta.summary}\n\nSee ${ruleDocsUrl(meta.id)}`;
  return {
    id: meta.id,
    name: meta.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: meta.summary },
    fullDescription: { text: full },
    help: { text: help, markdown: help },
    helpUri: ruleDocsUrl(meta.id),
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: {
      tags: ["reliability", "kubernetes", "graceful-shutdown"],
      precision: "high",
      fix: fixKind,
    },
  };
}

function message(f: Finding): string {
  const s = f.suggestions[0];
  return s ? `${f.message}\nFix: ${s.description}` : f.message;
}

export default function formatSarif(input: FormatInput): string {
  const { result, version, cwd } = input;
  const rules = RULES.map((r) => ruleDescriptor(r.meta));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const linesOf = new Map<string, LineIndex>();
  for (const s of result.sources as SourceFile[]) linesOf.set(s.displayPath, new LineIndex(s.text));

  const seen = new Map<string, number>();
  const results = result.findings.map((f) => {
    const lines = linesOf.get(f.file);
    const fixes = fixesOf(f, lines);
    const base = fingerprintBase(f, lines);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const what = [
      f.object?.kind && f.object.name ? `${f.object.kind}/${f.object.name}` : null,
      f.container ? `container ${f.container}` : null,
    ].filter(Boolean);
    const locationMessage = [
      f.source ? `Rendered from Helm template ${f.source.file}` : null,
      what.length ? what.join(", ") : null,
    ].filter(Boolean);
    return {
      ruleId: f.ruleId,
      ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
      level: LEVEL[f.severity],
      message: { text: message(f) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(f.file), uriBaseId: "%SRCROOT%" },
            region: {
              startLine: f.line,
              startColumn: f.column,
              endLine: f.endLine,
              endColumn: f.endColumn,
            },
          },
          ...(locationMessage.length ? { message: { text: locationMessage.join("; ") } } : {}),
          ...(f.object?.kind && f.object.name
            ? {
                logicalLocations: [
                  {
                    name: f.container ?? f.object.name,
                    fullyQualifiedName: [
                      f.object.namespace,
                      `${f.object.kind}/${f.object.name}`,
                      f.container,
                    ]
                      .filter(Boolean)
                      .join("/"),
                    kind: f.container ? "member" : "object",
                  },
                ],
              }
            : {}),
        },
      ],
      partialFingerprints: { "drainlintFinding/v1": n === 1 ? base : `${base}:${n}` },
      ...(fixes ? { fixes } : {}),
      properties: {
        ...(f.source ? { helmSource: f.source.file } : {}),
        suggestions: f.suggestions,
      },
    };
  });

  const notifications = result.notices.map((n) => ({
    level: "warning" as const,
    message: { text: `${n.file}: ${n.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(n.file), uriBaseId: "%SRCROOT%" },
        },
      },
    ],
  }));
  const root = pathToFileURL(cwd).href;
  const doc = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "drainlint",
            version,
            semanticVersion: version,
            informationUri: "https://github.com/drainlint/drainlint",
            rules,
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { "%SRCROOT%": { uri: root.endsWith("/") ? root : `${root}/` } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

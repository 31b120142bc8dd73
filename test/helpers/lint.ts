/** Test helpers: lint a string or a path in process, with the real engine. */
import { lint, lintSources, resolveSettings, type LintResult } from "../../src/engine/lint.js";
import type { FileKind, LintSettings, SourceFile } from "../../src/types.js";

export function source(
  text: string,
  displayPath = "test.yaml",
  kind: FileKind = "yaml",
): SourceFile {
  return { path: null, displayPath, kind, text, bom: false };
}

export function lintText(
  text: string,
  opts: { name?: string; kind?: FileKind; settings?: Partial<LintSettings> } = {},
): LintResult {
  const kind =
    opts.kind ?? (opts.name && /Dockerfile|Containerfile/i.test(opts.name) ? "dockerfile" : "yaml");
  return lintSources(
    [source(text, opts.name ?? "test.yaml", kind)],
    resolveSettings(opts.settings),
  );
}

export function ruleIds(r: LintResult): string[] {
  return r.findings.map((f) => f.ruleId);
}

export { lint };

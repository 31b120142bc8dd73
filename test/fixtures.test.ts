/**
 * The generic fixture runner (STYLE.md Tests). For every folder fixtures/<rule-id>/:
 * `valid-*` must yield no finding at all, `invalid-*` exactly its markers, checked both
 * ways (no missed finding, no extra one). A fixture is a file or a directory (linted whole).
 * Markers: a trailing `# expect: rule-a, rule-b` on the line where a finding starts, or
 * `# expect-next-line: rule-a` on its own line (the finding is on the next line).
 * Optional settings: a line `# fixture-settings: {"kubeVersion": "1.29"}` (JSON, merged
 * into the lint settings).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lint, lintSources, resolveSettings, type LintResult } from "../src/engine/lint.js";
import { fixSources, isAutofixable } from "../src/fix/apply.js";
import { bytesOf } from "../src/fix/write.js";
import { readSource } from "../src/read.js";
import type { LintSettings, SourceFile } from "../src/types.js";

const ROOT = path.resolve(import.meta.dirname, "..", "fixtures");

export function fixtureFolders(): string[] {
  return readdirSync(ROOT)
    .filter((d) => statSync(path.join(ROOT, d)).isDirectory())
    .sort();
}

function filesUnder(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).flatMap((f) => filesUnder(path.join(p, f)));
}

const EXPECT = /#\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/;
const EXPECT_NEXT = /^\s*#\s*expect-next-line:\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/;
const SETTINGS = /#\s*fixture-settings:\s*(\{.*\})\s*$/m;

export function markersOf(file: string, rel: string): string[] {
  const out: string[] = [];
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  lines.forEach((line, i) => {
    const next = EXPECT_NEXT.exec(line);
    if (next) for (const id of next[1].split(/\s*,\s*/)) out.push(`${rel}:${i + 2} ${id}`);
    else {
      const m = EXPECT.exec(line);
      if (m) for (const id of m[1].split(/\s*,\s*/)) out.push(`${rel}:${i + 1} ${id}`);
    }
  });
  return out;
}

export function isFixture(name: string): boolean {
  return /^(valid|invalid)-/.test(name) && !/\.fixed(\.|$)/.test(name);
}

function settingsOf(files: string[]): Partial<LintSettings> {
  for (const f of files) {
    const m = SETTINGS.exec(readFileSync(f, "utf8"));
    if (m) return JSON.parse(m[1]);
  }
  return {};
}

/**
 * The golden of a fixed fixture file: `invalid-x.yaml` → `invalid-x.fixed.yaml` (also
 * `.json`, `invalid-x.fixed.Dockerfile`); a file inside a directory fixture `invalid-x/` →
 * the same relative path under `invalid-x.fixed/` (which holds only the files that change).
 */
export function goldenPathOf(dir: string, fixture: string, file: string): string {
  const rel = path.relative(path.join(dir, fixture), file);
  if (rel === "") return path.join(dir, fixture.replace(/(\.[^.]+)?$/, ".fixed$1"));
  return path.join(dir, `${fixture}.fixed`, rel);
}

/**
 * Applies the fixes to the fixture in memory and checks each changed file against its
 * golden (a changed file without one fails: goldens can't be forgotten; an unchanged file
 * must have none), then re-lints the goldens: no finding with an autofix may remain.
 */
async function checkGoldens(
  dir: string,
  name: string,
  result: LintResult,
  settings: Partial<LintSettings>,
) {
  const resolved = resolveSettings(settings);
  const run = fixSources(result.sources, resolved, { cwd: dir, initial: result });
  const fixedSources: SourceFile[] = [];
  for (const f of run.files) {
    // A file that cannot be fixed as it is (a parse error) keeps its text; a misbehaving fix fails.
    expect(f.refused?.cause, `${f.source.displayPath}: ${f.refused?.message}`).not.toBe("fix");
    const golden = goldenPathOf(dir, name, f.source.path!);
    const rel = path.relative(dir, golden);
    if (f.output === f.source.text) {
      expect(existsSync(golden), `${rel} exists but the fixes change nothing`).toBe(false);
      fixedSources.push(f.source);
      continue;
    }
    expect(existsSync(golden), `${f.source.displayPath} has autofixes but no golden ${rel}`).toBe(
      true,
    );
    const actual = bytesOf(f.source, f.output).toString("utf8");
    expect(actual, `${rel} differs from the fixed text`).toBe(readFileSync(golden, "utf8"));
    const read = readSource(golden, f.source.kind, dir);
    fixedSources.push({ ...read, displayPath: f.source.displayPath });
  }
  const relinted = lintSources(fixedSources, resolved, { cwd: dir });
  const left = relinted.findings
    .filter(isAutofixable)
    .map((f) => `${f.file}:${f.line} ${f.ruleId}`);
  expect(left, "findings with an autofix left in the goldens").toEqual([]);
}

for (const folder of fixtureFolders()) {
  describe(`fixtures/${folder}`, () => {
    const dir = path.join(ROOT, folder);
    const fixtures = readdirSync(dir).filter(isFixture).sort();

    it("has at least one valid and one invalid fixture", () => {
      expect(fixtures.some((f) => f.startsWith("valid-"))).toBe(true);
      expect(fixtures.some((f) => f.startsWith("invalid-"))).toBe(true);
    });

    for (const name of fixtures) {
      it(name, async () => {
        const target = path.join(dir, name);
        const files = filesUnder(target).filter((f) => !/\.fixed(\.|$)/.test(path.basename(f)));
        const expected = files
          .flatMap((f) => markersOf(f, path.relative(dir, f).split(path.sep).join("/")))
          .sort();
        const result = await lint({
          paths: [name],
          cwd: dir,
          noIgnore: true,
          settings: settingsOf(files),
        });
        const actual = result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort();
        expect(result.notices).toEqual([]);
        expect(actual).toEqual(expected);
        if (name.startsWith("valid-")) expect(actual).toEqual([]);
        else expect(actual.some((a) => a.endsWith(` ${folder}`))).toBe(true);
        if (name.startsWith("invalid-")) await checkGoldens(dir, name, result, settingsOf(files));
      });
    }

    it("has no golden without its fixture", () => {
      const goldens = readdirSync(dir).filter((f) => /\.fixed(\.|$)/.test(f));
      for (const g of goldens) {
        const fixture = g.replace(/\.fixed(?=\.|$)/, "");
        expect(fixtures, `${g} has no fixture ${fixture}`).toContain(fixture);
        expect(fixture.startsWith("invalid-"), `${g}: only invalid fixtures have goldens`).toBe(
          true,
        );
      }
    });
  });
}

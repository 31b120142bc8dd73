/**
 * The generic fixture runner (STYLE.md Tests). For every folder fixtures/<rule-id>/:
 * `valid-*` must yield no finding at all, `invalid-*` exactly its markers, checked both
 * ways (no missed finding, no extra one). A fixture is a file or a directory (linted whole).
 * Markers: a trailing `# expect: rule-a, rule-b` on the line where a finding starts, or
 * `# expect-next-line: rule-a` on its own line (the finding is on the next line).
 * Optional settings: a line `# fixture-settings: {"kubeVersion": "1.29"}` (JSON, merged
 * into the lint settings).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lint } from "../src/engine/lint.js";
import type { LintSettings } from "../src/types.js";

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
      });
    }
  });
}

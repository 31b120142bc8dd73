/**
 * Registry and docs (STYLE.md): every rule file is registered, named after its id, has its
 * doc with the required headings in order and its fixtures; the doc's examples are linted:
 * each ❌ Incorrect example fires the rule, each ✅ Correct example does not.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../src/engine/lint.js";
import { lintText } from "./helpers/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const HEADINGS = [
  "## Why this breaks graceful shutdown",
  "## ❌ Incorrect",
  "## ✅ Correct",
  "## Fix",
  "## Options",
  "## When not to use it",
  "## References",
];

/** Fenced code blocks under a `## heading`, with their info string. */
export function examples(
  doc: string,
  heading: string,
): { lang: string; code: string; settings: Record<string, unknown> }[] {
  const start = doc.indexOf(heading);
  if (start < 0) return [];
  const rest = doc.slice(start + heading.length);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const out: { lang: string; code: string; settings: Record<string, unknown> }[] = [];
  const re = /```(\w+)([^\n]*)\n([\s\S]*?)```/g;
  for (let m; (m = re.exec(section));) {
    const settings = /settings=(\{.*\})/.exec(m[2]);
    out.push({ lang: m[1], code: m[3], settings: settings ? JSON.parse(settings[1]) : {} });
  }
  return out;
}

describe("rule registry", () => {
  it("rules/index.ts and the README table are up to date (npm run gen)", () => {
    expect(() =>
      execFileSync(process.execPath, [path.join(ROOT, "scripts/gen.mjs"), "--check"], {
        stdio: "pipe",
      }),
    ).not.toThrow();
  });

  it("registers every rule file, each named after its id", () => {
    const files = readdirSync(path.join(ROOT, "rules"))
      .filter((f) => f.endsWith(".ts") && f !== "index.ts")
      .map((f) => f.slice(0, -3))
      .sort();
    expect(RULES.map((r) => r.meta.id).sort()).toEqual(files);
  });

  it("has unique ids and a one-line summary per rule", () => {
    const ids = RULES.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.meta.summary.length).toBeGreaterThan(20);
      expect(r.meta.summary).not.toContain("\n");
      if (r.meta.target !== "engine") expect(typeof r.check).toBe("function");
    }
  });
});

for (const rule of RULES) {
  const id = rule.meta.id;
  describe(`rules/${id}.md`, () => {
    const docPath = path.join(ROOT, "rules", `${id}.md`);
    const doc = existsSync(docPath) ? readFileSync(docPath, "utf8") : "";

    it("exists with the required headings in order", () => {
      expect(doc.startsWith(`# ${id}\n`)).toBe(true);
      let last = -1;
      for (const h of HEADINGS) {
        const at = doc.indexOf(`\n${h}\n`);
        expect(at, `${h} missing or out of order`).toBeGreaterThan(last);
        last = at;
      }
      expect(doc).toMatch(/DOMAIN\.md §\d+|SPEC\.md §\d+/);
    });

    it("has a fixtures folder", () => {
      expect(existsSync(path.join(ROOT, "fixtures", id))).toBe(true);
    });

    it("❌ Incorrect examples fire the rule, ✅ Correct ones do not", () => {
      const bad = examples(doc, "## ❌ Incorrect");
      const good = examples(doc, "## ✅ Correct");
      expect(bad.length).toBeGreaterThan(0);
      expect(good.length).toBeGreaterThan(0);
      for (const ex of bad) {
        const name = ex.lang === "dockerfile" ? "Dockerfile" : "example.yaml";
        const ids = lintText(ex.code, { name, settings: ex.settings }).findings.map(
          (f) => f.ruleId,
        );
        expect(ids, `Incorrect example should fire ${id}:\n${ex.code}`).toContain(id);
      }
      for (const ex of good) {
        const name = ex.lang === "dockerfile" ? "Dockerfile" : "example.yaml";
        const ids = lintText(ex.code, { name, settings: ex.settings }).findings.map(
          (f) => f.ruleId,
        );
        expect(ids, `Correct example should not fire ${id}:\n${ex.code}`).not.toContain(id);
      }
    });
  });
}

/**
 * Rule docs (rules/<id>.md) at run time, for SARIF help text and the Action. They are read
 * from the package's own rules/ directory rather than inlined into the bundles: the npm
 * package ships rules/*.md, the Action and pre-commit run from a checkout of the repository,
 * so one copy of the docs serves the CLI, the API, --explain and SARIF, and a rule added
 * later needs no generated module. A missing doc degrades to the rule's one-line summary.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cachedDir: string | null | undefined;

/** The package root's rules/ directory: the first ancestor of this module holding package.json. */
export function rulesDocsDir(): string | null {
  if (cachedDir !== undefined) return cachedDir;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  cachedDir = null;
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "rules"))) {
      cachedDir = path.join(dir, "rules");
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return cachedDir;
}

/** The Markdown doc of a rule, or null when it is not available. */
export function ruleDocMarkdown(id: string): string | null {
  const dir = rulesDocsDir();
  if (!dir) return null;
  try {
    return readFileSync(path.join(dir, `${id}.md`), "utf8");
  } catch {
    return null;
  }
}

/** The doc's first paragraph after the `# id` title, joined into one line. */
export function firstParagraph(markdown: string): string | null {
  const body = markdown.replace(/\r\n/g, "\n").replace(/^#[^\n]*\n/, "");
  const para = body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .find((p) => p && !p.startsWith("#") && !p.startsWith("```"));
  return para ? para.replace(/\s*\n\s*/g, " ") : null;
}

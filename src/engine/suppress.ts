/**
 * Suppression (SPEC §4): `# drainlint-disable-next-line rule-a, rule-b -- reason` and
 * `# drainlint-disable-file rule-a` comments in YAML and Dockerfiles, and the
 * `drainlint.dev/ignore` annotation on a workload or its pod template. Each directive
 * records whether it suppressed anything, for `--report-unused-disable`.
 */
export interface Directive {
  kind: "next-line" | "file" | "annotation";
  /** Rule ids named (empty: all rules; comments only). */
  rules: string[];
  /** Ids named that are not rules. */
  unknown: string[];
  /** 1-based line of the comment or annotation, and its column. */
  line: number;
  column: number;
  endColumn: number;
  reason: string | null;
  /** Rule ids this directive actually suppressed. */
  used: Set<string>;
}

const COMMENT_RE = /(^|[ \t])#[ \t]*drainlint-disable-(next-line|file)\b([^\r\n]*)/;

export function parseRuleList(
  text: string,
  known: ReadonlySet<string>,
): { rules: string[]; unknown: string[] } {
  const rules: string[] = [];
  const unknown: string[] = [];
  for (const id of text.split(/[\s,]+/).filter(Boolean)) (known.has(id) ? rules : unknown).push(id);
  return { rules, unknown };
}

/** Finds disable comments line by line (a `#` that starts a comment). */
export function scanComments(text: string, known: ReadonlySet<string>): Directive[] {
  const out: Directive[] = [];
  if (!text.includes("drainlint-disable-")) return out;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = COMMENT_RE.exec(lines[i]);
    if (!m) continue;
    const [body, reason] = splitReason(m[3]);
    const { rules, unknown } = parseRuleList(body, known);
    const column = m.index + m[1].length + 1;
    out.push({
      kind: m[2] === "file" ? "file" : "next-line",
      rules,
      unknown,
      line: i + 1,
      column,
      endColumn: lines[i].replace(/\r$/, "").length + 1,
      reason,
      used: new Set(),
    });
  }
  return out;
}

function splitReason(s: string): [string, string | null] {
  const idx = s.indexOf("--");
  return idx < 0 ? [s.trim(), null] : [s.slice(0, idx).trim(), s.slice(idx + 2).trim() || null];
}

/** True when `directive` covers a finding of `ruleId` starting at `line`; records the use. */
export function covers(directive: Directive, ruleId: string, line: number): boolean {
  if (directive.kind === "next-line" && line !== directive.line + 1) return false;
  const applies =
    directive.rules.length === 0
      ? directive.unknown.length === 0
      : directive.rules.includes(ruleId);
  if (applies) directive.used.add(ruleId);
  return applies;
}

/**
 * Why a directive suppressed nothing (for `--report-unused-disable`, as ESLint's
 * `--report-unused-disable-directives`), or null when it was used. Unknown ids in an
 * annotation are left out: `invalid-annotation` reports them already.
 */
export function unusedDirectiveMessage(
  d: Directive,
  known: ReadonlySet<string>,
  hint: (id: string) => string | null,
): string | null {
  const what =
    d.kind === "annotation"
      ? "drainlint.dev/ignore"
      : d.kind === "file"
        ? "drainlint-disable-file comment"
        : "drainlint-disable-next-line comment";
  const scope =
    d.kind === "annotation"
      ? "for this object"
      : d.kind === "file"
        ? "in this file"
        : `on line ${d.line + 1}`;
  const parts: string[] = [];
  if (d.kind !== "annotation")
    for (const id of d.unknown) {
      const h = known.size ? hint(id) : null;
      parts.push(`"${id}" is not a drainlint rule${h ? ` (did you mean "${h}"?)` : ""}`);
    }
  if (d.rules.length === 0 && d.unknown.length === 0) {
    if (d.used.size === 0) parts.push(`nothing was reported ${scope}`);
  } else {
    const unused = d.rules.filter((id) => !d.used.has(id));
    if (unused.length) parts.push(`no ${unused.join(", ")} finding was reported ${scope}`);
  }
  if (!parts.length) return null;
  const remove =
    d.kind === "annotation"
      ? "Remove the ids that suppress nothing from the annotation (or the annotation)"
      : "Remove the comment (or the ids that suppress nothing)";
  return `Unused ${what}: ${parts.join("; ")}. ${remove}, so it cannot hide a future finding by accident.`;
}

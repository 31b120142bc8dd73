/** Shared types: the output contract (SPEC §6) and the pieces every module passes along. */

export type Severity = "error" | "warning" | "info";
export type SeverityOrOff = Severity | "off";
export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** 1-based line/column plus 0-based UTF-16 offsets into the file's text as read. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  offset: number;
  endOffset: number;
}

/** A replacement of `text[start, end)` by `text` (UTF-16 offsets into the file as read). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  edits: Edit[];
}

export interface Suggestion {
  description: string;
  snippet?: string;
}

export interface ObjectRef {
  apiVersion: string | null;
  kind: string | null;
  name: string | null;
  namespace: string | null;
}

/** One term of a drain budget, for messages, the stylish timeline and the Action summary. */
export interface BudgetTerm {
  name: string;
  seconds: number;
  isDefault: boolean;
  unknown?: boolean;
}

export interface BudgetData {
  grace: number;
  graceIsDefault: boolean;
  terms: BudgetTerm[];
  total: number;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  object: ObjectRef | null;
  container: string | null;
  source: { file: string } | null;
  suggestions: Suggestion[];
  fix: Fix | null;
  /** Optional structured detail (for example the drain budget) used by formatters. */
  budget?: BudgetData;
}

export type FileKind = "yaml" | "json" | "dockerfile";

/** A file as read: the text is never modified; offsets in findings index into it. */
export interface SourceFile {
  /** Absolute path, or null for standard input. */
  path: string | null;
  /** Relative, normalised path as reported (`<stdin>` or --stdin-filename for standard input). */
  displayPath: string;
  kind: FileKind;
  text: string;
  /** True when the text began with a UTF-8 BOM (stripped from `text`; offsets account for it). */
  bom: boolean;
  /** mtime and size when read, to refuse writing a file changed since. */
  stat?: { mtimeMs: number; size: number; mode: number };
  /** How the bytes were decoded (absent means UTF-8); a writer encodes back the same way. */
  encoding?: TextEncoding;
  /**
   * Set when the bytes are not readable text (binary, invalid UTF-8): `text` is empty and
   * the engine reports one `parse-error` here instead of linting.
   */
  problem?: { message: string; line: number; column: number; offset: number };
}

export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be";

export interface Budget {
  maxRequestSeconds: number;
  safetyMarginSeconds: number;
  endpointPropagationSeconds: number;
}

export const DEFAULT_BUDGET: Budget = {
  maxRequestSeconds: 10,
  safetyMarginSeconds: 5,
  endpointPropagationSeconds: 5,
};

/** The settings a lint run uses, after flags, config file and defaults are merged. */
export interface LintSettings {
  kubeVersion: string;
  /** Severity overrides per rule id. */
  rules: Record<string, SeverityOrOff>;
  budget: Budget;
  /** Which budget terms were set explicitly (flag or config), for "default" labels in messages. */
  budgetExplicit: Partial<Record<keyof Budget, boolean>>;
}

export const DEFAULT_KUBE_VERSION = "1.31";

export function defaultSettings(): LintSettings {
  return {
    kubeVersion: DEFAULT_KUBE_VERSION,
    rules: {},
    budget: { ...DEFAULT_BUDGET },
    budgetExplicit: {},
  };
}

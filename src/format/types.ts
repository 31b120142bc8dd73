import type { LintResult } from "../engine/lint.js";

export interface FormatInput {
  result: LintResult;
  version: string;
  color: boolean;
  cwd: string;
}

export type Formatter = (input: FormatInput) => string;

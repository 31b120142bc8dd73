/**
 * Dockerfiles through a real parser (`dockerfile-ast`, STYLE.md): escape directive, line
 * continuations, comments inside continuations, heredocs, ONBUILD triggers. On top of it,
 * what the parser leaves to the builder: exec form is a JSON array of strings (anything
 * else is shell form, DOMAIN.md §5b), and the errors that make `docker build` refuse the
 * file (unknown instruction, instruction before FROM, exec form with non-strings,
 * unterminated heredoc, invalid escape directive). Positions are UTF-16 offsets into the
 * text as read.
 */
import { createRequire } from "node:module";
import type { DockerfileParser, Instruction, Onbuild } from "dockerfile-ast";
import type { Span } from "../types.js";

let parser: typeof DockerfileParser | undefined;

/**
 * dockerfile-ast, loaded when the first Dockerfile is parsed: initialising it (and the
 * language-server types it loads) took about 4 ms of every run's start-up. In the bundles a
 * plain `require`, which esbuild bundles and initialises on the first call; from the
 * TypeScript sources (tests), through createRequire.
 */
function dockerfileParser(): typeof DockerfileParser {
  parser ??= (
    (typeof require === "function"
      ? require("dockerfile-ast")
      : createRequire(import.meta.url)("dockerfile-ast")) as typeof import("dockerfile-ast")
  ).DockerfileParser;
  return parser;
}

export interface DockerInstructionNode {
  /** Upper-case keyword (`CMD`). */
  keyword: string;
  /** The whole instruction, continuation lines included. */
  span: Span;
  /** Arguments with continuations joined and comment lines removed ("" when none). */
  args: string;
  /** The arguments as written (for edits), or null when there are none. */
  argsSpan: Span | null;
  /** Exec form: the arguments parse as a JSON array of strings. Null: shell form. */
  json: string[] | null;
  /** ONBUILD: the instruction it registers. */
  trigger: DockerInstructionNode | null;
}

export interface DockerParseError {
  message: string;
  span: Span;
}

export interface ParsedDockerfile {
  escape: string;
  instructions: DockerInstructionNode[];
  /** The first error `docker build` would stop at, or null. */
  error: DockerParseError | null;
}

const KEYWORDS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/** Instructions whose arguments may be exec form (the builder's parseMaybeJSON). */
const JSON_FORM = new Set(["CMD", "ENTRYPOINT", "RUN", "SHELL", "HEALTHCHECK"]);

interface Pos {
  line: number;
  character: number;
}

/** Line starts as the parser counts lines (`\r\n`, `\r` and `\n` all end a line). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      if (c === 10 || c === 13) this.starts.push(i + 1);
    }
  }
  offset(p: Pos): number {
    const start = this.starts[Math.min(p.line, this.starts.length - 1)];
    return Math.min(start + p.character, this.text.length);
  }
  span(start: Pos, end: Pos): Span {
    return {
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      offset: this.offset(start),
      endOffset: this.offset(end),
    };
  }
}

/** Docker's exec-form test: a JSON array of strings; `undefined` when it is an array of other things. */
export function execForm(args: string): string[] | null | undefined {
  const s = args.trim();
  if (!s.startsWith("[")) return null;
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return null; // not JSON (single quotes, a missing bracket): shell form
  }
  if (!Array.isArray(v)) return null;
  return v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

function node(ins: Instruction, lines: LineIndex): DockerInstructionNode {
  const keyword = ins.getKeyword().toUpperCase();
  const range = ins.getRange();
  const argsRange = ins.getArgumentsRange();
  const args = ins.getArgumentsContent() ?? "";
  const json = JSON_FORM.has(keyword) ? execForm(args) : null;
  let trigger: DockerInstructionNode | null = null;
  if (keyword === "ONBUILD") {
    const t = (ins as Onbuild).getTriggerInstruction();
    if (t) trigger = { ...node(t, lines), span: lines.span(range.start, range.end) };
  }
  return {
    keyword,
    span: lines.span(range.start, range.end),
    args,
    argsSpan: argsRange ? lines.span(argsRange.start, argsRange.end) : null,
    json: json ?? null,
    trigger,
  };
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = new LineIndex(text);
  const df = dockerfileParser().parse(text);
  const escape = df.getEscapeCharacter();
  const instructions: DockerInstructionNode[] = [];
  let error: DockerParseError | null = null;
  const fail = (message: string, span: Span) => {
    error ??= { message, span };
  };
  for (const d of df.getDirectives()) {
    if (d.getName().toLowerCase() === "escape" && !["\\", "`"].includes(d.getValue())) {
      const r = d.getRange();
      fail(
        `invalid escape directive "${d.getValue()}" (only \\ or \` are allowed)`,
        lines.span(r.start, r.end),
      );
    }
  }
  let seenFrom = false;
  for (const ins of df.getInstructions()) {
    const n = node(ins, lines);
    instructions.push(n);
    const at = lines.span(ins.getInstructionRange().start, ins.getInstructionRange().end);
    if (!KEYWORDS.has(n.keyword)) {
      fail(`unknown instruction "${ins.getInstruction()}"`, at);
      continue;
    }
    if (n.keyword === "FROM") {
      seenFrom = true;
      if (!n.args.trim()) fail("FROM needs an image", at);
    } else if (!seenFrom && n.keyword !== "ARG")
      fail(`${n.keyword} before the first FROM (only ARG may come first)`, at);
    const withJson = n.trigger ?? n;
    if (JSON_FORM.has(withJson.keyword) && execForm(withJson.args) === undefined)
      fail(`${withJson.keyword} exec form must be a JSON array of strings`, at);
    for (const h of heredocsOf(ins)) {
      if (!h.getDelimiterRange()) {
        const r = h.getStartRange();
        fail(`unterminated here-document <<${h.getName()}`, lines.span(r.start, r.end));
      }
    }
  }
  return { escape, instructions, error };
}

type Heredoc = ReturnType<Instruction["getHeredocs"]>[number];

function heredocsOf(ins: Instruction): Heredoc[] {
  // getHeredocs is protected in the typings but public at run time (the parser's own API).
  const get = (ins as unknown as { getHeredocs?: () => Heredoc[] }).getHeredocs;
  return get ? get.call(ins) : [];
}

/**
 * The lexer tier of the prefilter (SPEC §9): one pass of `yaml`'s Lexer (about a third of
 * the cost of building CST tokens, a fifth of a full parse) cuts the text into documents at
 * their `---` lexemes and reads each one's top-level apiVersion and kind, and metadata.name
 * and .namespace, from the lexemes of its block lines. It is deliberately timid: any
 * anchor, alias, tag, explicit key, merge key, flow collection where a header field could
 * be, multi-line or escaped value, duplicate header key, tab indentation or unusual line
 * leaves the document's header unknown, and the token tier (prefilter.ts) decides.
 * A file with `...` or a directive is not cut at all.
 */
import { Lexer } from "yaml";
import type { DocumentHeader } from "./prefilter.js";

export interface LexedDocument {
  /** [start, end): from this document's `---` (or the text start) to the next `---`. */
  start: number;
  end: number;
  /** Offset of the first content lexeme (the root node), or -1 when there is none. */
  contentStart: number;
  /** The header when the lexemes settle it, else null. */
  header: DocumentHeader | null;
  /**
   * The document's lexemes, exactly as `new Lexer().lex(text.slice(start, end))` yields
   * them, so the parser can take them without lexing the text a second time.
   */
  lexemes: string[];
}

// The core schema's non-string plain scalars (null, booleans, numbers).
const CORE_NON_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)?$/;

const TOP_FIELDS = new Set(["apiVersion", "kind"]);
const META_FIELDS = new Set(["name", "namespace"]);

/** The string a simple scalar lexeme stands for; null for non-strings; undefined: unsure. */
function scalarValue(lexeme: string, plain: boolean): string | null | undefined {
  if (/[\n\r\t]/.test(lexeme)) return undefined;
  if (plain) return CORE_NON_STRING.test(lexeme) ? null : lexeme;
  const q = lexeme[0];
  if ((q !== '"' && q !== "'") || lexeme.length < 2 || lexeme.at(-1) !== q) return undefined;
  const inner = lexeme.slice(1, -1);
  if (inner.includes("\\") || inner.includes(q)) return undefined;
  return inner;
}

class DocumentReader {
  contentStart = -1;
  unsure = false;
  private readonly top: Record<string, string | null> = {};
  private readonly meta: Record<string, string | null> = {};
  private readonly topKeys = new Set<string>();
  private readonly metaKeys = new Set<string>();
  private lineStart = true;
  private indent = 0;
  private flowDepth = 0;
  private blockScalarNext = false;
  /** metadata's block: its children's indent once known (-1 before the first child). */
  private metaIndent: number | null = null;
  /** Where the line is: "key" (expecting a key), "colon", "value", "rest" (ignored). */
  private phase: "key" | "colon" | "value" | "rest" = "rest";
  private key: { name: string; level: "top" | "meta" } | null = null;
  /** Offset where the current line starts. */
  private lineOffset: number;
  /** The last scalar of a block context on this line, a key if a `:` follows it. */
  private keyCandidate: { id: string | null; column: number } | null = null;
  /** Open block maps (innermost last): their column and keys, for duplicate keys. */
  private readonly maps: { column: number; keys: Set<string> }[] = [];

  /** Every lexeme of this document (see LexedDocument.lexemes). */
  readonly lexemes: string[];

  constructor(readonly start: number) {
    this.lineOffset = start;
    // A slice lexed on its own begins with the document-start lexeme; the whole text has it
    // only once, at its start.
    this.lexemes = start === 0 ? [] : ["\x02"];
  }

  /** A key of any block map: a duplicate makes the document "unsure" (composing reports it). */
  private registerKey(id: string | null, column: number): void {
    while (this.maps.length && this.maps[this.maps.length - 1].column > column) this.maps.pop();
    const top = this.maps[this.maps.length - 1];
    if (top?.column === column) {
      if (id === null || top.keys.has(id)) return this.fail();
      top.keys.add(id);
    } else this.maps.push({ column, keys: new Set(id === null ? [] : [id]) });
    if (id === null) this.fail();
  }

  private fail(): void {
    this.unsure = true;
  }

  newline(nextLineStart: number): void {
    this.lineOffset = nextLineStart;
    this.keyCandidate = null;
    if (this.phase === "colon") this.fail(); // a scalar line that is not a key
    if (this.phase === "value" && this.key) {
      // `key:` with its value on the next lines: only `metadata` may open a block here.
      if (this.key.level === "top" && this.key.name === "metadata") this.metaIndent = -1;
      else if (this.isField(this.key)) this.fail();
    }
    this.lineStart = true;
    this.indent = 0;
    this.phase = "rest";
    this.key = null;
  }

  private isField(k: { name: string; level: "top" | "meta" }): boolean {
    return k.level === "top"
      ? TOP_FIELDS.has(k.name) || k.name === "metadata"
      : META_FIELDS.has(k.name);
  }

  /** The first content lexeme of a line: decides what the line can hold. */
  private beginLine(): void {
    this.lineStart = false;
    if (this.flowDepth > 0) return;
    if (this.indent === 0) {
      this.metaIndent = null;
      this.phase = "key";
    } else if (this.metaIndent !== null) {
      if (this.metaIndent === -1) this.metaIndent = this.indent;
      if (this.indent === this.metaIndent) this.phase = "key";
      else if (this.indent < this.metaIndent) this.fail();
    }
  }

  space(lexeme: string): void {
    if (!this.lineStart) return;
    if (lexeme.includes("\t")) this.fail();
    this.indent = lexeme.length;
  }

  scalar(lexeme: string, plain: boolean, offset: number): void {
    if (this.contentStart < 0) this.contentStart = offset;
    if (this.blockScalarNext) {
      // A block scalar's content: its lines (indentation included) are one lexeme.
      this.blockScalarNext = false;
      if (lexeme.endsWith("\n")) this.newline(offset + lexeme.length);
      return;
    }
    if (this.lineStart) this.beginLine();
    if (this.flowDepth === 0) {
      // Plain keys the core schema reads as non-strings compare by value: one identity.
      const v = scalarValue(lexeme, plain);
      const id = v === undefined ? null : v === null ? "\u0000non-string" : `s:${v}`;
      this.keyCandidate = { id, column: offset - this.lineOffset };
    }
    if (this.phase === "key") {
      const name = scalarValue(lexeme, plain);
      if (name === undefined || name === null || name === "<<") return this.fail();
      const level = this.indent === 0 ? "top" : "meta";
      const seen = level === "top" ? this.topKeys : this.metaKeys;
      if (seen.has(name)) return this.fail(); // a duplicate: composing reports it
      seen.add(name);
      this.key = { name, level };
      this.phase = "colon";
    } else if (this.phase === "value") {
      const k = this.key!;
      if (this.isField(k)) {
        if (k.level === "top" && k.name === "metadata") return this.fail();
        const value = scalarValue(lexeme, plain);
        if (value === undefined) return this.fail();
        (k.level === "top" ? this.top : this.meta)[k.name] = value;
      }
      this.phase = "rest";
    } else if (this.phase === "colon") this.fail();
    if (lexeme.endsWith("\n")) this.newline(offset + lexeme.length); // a multi-line scalar
  }

  other(lexeme: string, offset: number): void {
    if (this.contentStart < 0) this.contentStart = offset;
    if (this.lineStart) this.beginLine();
    const c = lexeme[0];
    if (this.flowDepth === 0) {
      if (lexeme === ":" && this.keyCandidate) {
        this.registerKey(this.keyCandidate.id, this.keyCandidate.column);
      } else if (lexeme === "-") {
        // A new sequence item closes the maps of the previous one.
        const column = offset - this.lineOffset;
        while (this.maps.length && this.maps[this.maps.length - 1].column > column) this.maps.pop();
      }
      this.keyCandidate = null;
    }
    if (c === "|" || c === ">") this.blockScalarNext = true;
    if (c === "{" || c === "[") this.flowDepth++;
    else if (c === "}" || c === "]") this.flowDepth = Math.max(0, this.flowDepth - 1);
    if (c === "&" || c === "*" || c === "!" || c === "?") return this.fail();
    if (this.phase === "colon") {
      if (lexeme === ":") this.phase = "value";
      else this.fail();
      return;
    }
    if (this.phase === "key") {
      // A sequence, a flow collection or something else where a key was expected.
      if (this.indent === 0 || this.metaIndent !== null) this.fail();
      this.phase = "rest";
      return;
    }
    if (this.phase === "value") {
      // A flow collection or a block scalar as the value of a header field.
      if (this.key && this.isField(this.key)) this.fail();
      this.phase = "rest";
    }
  }

  finish(end: number): LexedDocument {
    if (this.phase === "colon") this.fail();
    const str = (v: string | null | undefined) => (typeof v === "string" ? v : null);
    const header =
      this.unsure || this.contentStart < 0
        ? null
        : {
            apiVersion: str(this.top.apiVersion),
            kind: str(this.top.kind),
            name: str(this.meta.name),
            namespace: str(this.meta.namespace),
          };
    return {
      start: this.start,
      end,
      contentStart: this.contentStart,
      header,
      lexemes: this.lexemes,
    };
  }
}

/** The documents of `source` cut at their `---` lexemes, or null when it cannot be cut so. */
export function lexDocuments(source: string): LexedDocument[] | null {
  const out: LexedDocument[] = [];
  let reader = new DocumentReader(0);
  let offset = 0;
  let scalarNext = false;
  for (const lexeme of new Lexer().lex(source)) {
    if (lexeme !== "---") reader.lexemes.push(lexeme);
    if (scalarNext) {
      scalarNext = false;
      reader.scalar(lexeme, true, offset);
      offset += lexeme.length;
      continue;
    }
    switch (lexeme) {
      case "\x1f": // a plain scalar follows
        scalarNext = true;
        continue;
      case "\x02": // document content starts
      case "\x18": // flow-error-end
      case "\ufeff":
        continue;
      case "---":
        out.push(reader.finish(offset));
        reader = new DocumentReader(offset);
        reader.lexemes.push(lexeme);
        offset += 3;
        continue;
      case "...":
        return null;
      case "\n":
      case "\r\n":
        reader.newline(offset + lexeme.length);
        offset += lexeme.length;
        continue;
    }
    const c = lexeme[0];
    if (c === "%") return null; // a directive
    if (c === " " || c === "\t") reader.space(lexeme);
    else if (c === "#") {
      /* a comment */
    } else if (c === '"' || c === "'") reader.scalar(lexeme, false, offset);
    else reader.other(lexeme, offset);
    offset += lexeme.length;
  }
  out.push(reader.finish(offset));
  return offset === source.length ? out : null;
}

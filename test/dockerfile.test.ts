/**
 * Dockerfiles: the parser (exec/shell form, continuations, heredocs, escape directive,
 * errors), the model (stages, inherited config, ONBUILD, ARG in FROM, PID 1 argv), the
 * PID 1 rules' positions and fixes (applied by splicing), suppression comments.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildDockerfileView, type SiblingReader } from "../src/model/dockerfile.js";
import { execForm, parseDockerfile } from "../src/parse/dockerfile.js";
import type { Edit, Finding } from "../src/types.js";
import { lintText, source } from "./helpers/lint.js";

function view(text: string, files: Record<string, string> = {}) {
  const reader: SiblingReader = {
    read: (f) => files[f.slice(f.lastIndexOf("/") + 1)] ?? null,
    exists: (f) => f.slice(f.lastIndexOf("/") + 1) in files,
  };
  const src = { ...source(text, "app/Dockerfile", "dockerfile"), path: "/repo/app/Dockerfile" };
  const parsed = parseDockerfile(text);
  expect(parsed.error).toBeNull();
  return buildDockerfileView(src, parsed, reader);
}

const argv = (text: string) => view(text).argv?.map((p) => p.text) ?? null;

function lintDocker(text: string) {
  return lintText(text, { name: "Dockerfile" }).findings;
}

function applyEdits(text: string, edits: Edit[]): string {
  return [...edits]
    .sort((a, b) => b.start - a.start)
    .reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}

const brief = (fs: Finding[]) => fs.map((f) => `${f.line} ${f.ruleId}`);

describe("parseDockerfile", () => {
  it("decides exec form the way the builder does", () => {
    expect(execForm(`["node", "server.js"]`)).toEqual(["node", "server.js"]);
    expect(execForm(`['node', 'server.js']`)).toBeNull();
    expect(execForm(`["node", "server.js"`)).toBeNull();
    expect(execForm(`node server.js`)).toBeNull();
    expect(execForm(`["node", 1]`)).toBeUndefined();
    expect(execForm(`["a\\u0041"]`)).toEqual(["aA"]);
  });

  it("joins continuations, drops comment lines inside them, keeps heredoc bodies out", () => {
    const p = parseDockerfile(
      'FROM node:20\nRUN <<EOF\nCMD npm start\nEOF\nCMD ["node", \\\n# comment\n  "a.js"]\n',
    );
    expect(p.error).toBeNull();
    expect(p.instructions.map((i) => i.keyword)).toEqual(["FROM", "RUN", "CMD"]);
    const cmd = p.instructions[2];
    expect(cmd.json).toEqual(["node", "a.js"]);
    expect([cmd.span.line, cmd.span.endLine]).toEqual([5, 7]);
  });

  it("honours the escape directive", () => {
    const p = parseDockerfile("# escape=`\nFROM node:20\nCMD npm ci `\n  && npm start\n");
    expect(p.escape).toBe("`");
    expect(p.instructions[1].args).toMatch(/^npm ci\s+&& npm start$/);
  });

  it("reports what docker build refuses, at the instruction", () => {
    const err = (t: string) => {
      const e = parseDockerfile(t).error;
      return e && [e.message, e.span.line];
    };
    expect(err("FROM node:20\nFORM x\n")).toEqual(['unknown instruction "FORM"', 2]);
    expect(err("CMD node\nFROM node:20\n")?.[0]).toMatch(/before the first FROM/);
    expect(err('FROM node\nCMD ["node", 1]\n')?.[0]).toMatch(/JSON array of strings/);
    expect(err("FROM node\nRUN <<EOF\necho\n")?.[0]).toMatch(/unterminated here-document/);
    expect(err("# escape=x\nFROM node\n")?.[0]).toMatch(/invalid escape/);
    expect(err("FROM node:20\nCMD <<EOF\nnpm start\nEOF\n")).not.toBeNull();
    expect(err("")).toBeNull();
  });

  it("counts CRLF lines and UTF-16 offsets like the text", () => {
    const text = "FROM node:20\r\n# é\r\nCMD npm start\r\n";
    const cmd = parseDockerfile(text).instructions[1];
    expect(cmd.span.line).toBe(3);
    expect(text.slice(cmd.span.offset, cmd.span.endOffset)).toBe("CMD npm start");
    expect(text.slice(cmd.argsSpan!.offset, cmd.argsSpan!.endOffset)).toBe("npm start");
  });
});

describe("the PID 1 argv of the final stage", () => {
  it("composes ENTRYPOINT and CMD, exec and shell form, with SHELL", () => {
    expect(argv('FROM x\nENTRYPOINT ["tini", "--"]\nCMD ["node", "a.js"]')).toEqual([
      "tini",
      "--",
      "node",
      "a.js",
    ]);
    expect(argv("FROM x\nENTRYPOINT node a.js\nCMD ignored")).toEqual([
      "/bin/sh",
      "-c",
      "node a.js",
    ]);
    expect(argv('FROM x\nSHELL ["/bin/bash", "-c"]\nCMD node a.js')).toEqual([
      "/bin/bash",
      "-c",
      "node a.js",
    ]);
    expect(argv("FROM x\nCMD ['node', 'a.js']")).toEqual(["/bin/sh", "-c", "['node', 'a.js']"]);
  });

  it("uses the node image's entrypoint and default CMD, distroless nodejs and scratch", () => {
    expect(argv("FROM node:20-alpine")).toEqual(["docker-entrypoint.sh", "node"]);
    expect(argv('FROM docker.io/library/node:22@sha256:ab\nCMD ["npm", "start"]')).toEqual([
      "docker-entrypoint.sh",
      "npm",
      "start",
    ]);
    expect(argv('FROM gcr.io/distroless/nodejs20-debian12\nCMD ["server.js"]')).toEqual([
      "/nodejs/bin/node",
      "server.js",
    ]);
    expect(argv("FROM scratch\nCOPY app /")).toBeNull();
    expect(view("FROM python:3.12").unknown[0]).toMatch(/python:3\.12/);
  });

  it("runs only the final stage; a stage FROM an earlier one inherits its config", () => {
    expect(
      argv('FROM node:20 AS build\nCMD ["npm", "start"]\nFROM node:20\nCMD ["node", "a.js"]'),
    ).toEqual(["docker-entrypoint.sh", "node", "a.js"]);
    expect(argv('FROM node:20 AS base\nCMD ["npm", "start"]\nFROM base\nRUN true')).toEqual([
      "docker-entrypoint.sh",
      "npm",
      "start",
    ]);
    // ENTRYPOINT resets the inherited CMD, not one set in the same stage.
    expect(argv('FROM base0\nFROM node:20 AS b\nCMD ["x"]\nFROM b\nENTRYPOINT ["tini"]')).toEqual([
      "tini",
    ]);
    expect(argv('FROM node:20\nCMD ["a"]\nENTRYPOINT ["tini", "--"]')).toEqual(["tini", "--", "a"]);
  });

  it("runs the base stage's ONBUILD triggers, and resolves ARG in FROM", () => {
    const v = view('FROM node:20 AS base\nONBUILD CMD ["npm", "start"]\nFROM base\nRUN true');
    expect(v.argv?.map((p) => p.text)).toEqual(["docker-entrypoint.sh", "npm", "start"]);
    expect(v.argv?.[1].from?.viaOnbuild).toBe(true);
    expect(v.argv?.[1].from?.span.line).toBe(2);
    expect(argv('FROM node:20\nONBUILD CMD ["npm", "start"]')).toEqual([
      "docker-entrypoint.sh",
      "node",
    ]);
    expect(argv("ARG BASE=node:20\nFROM ${BASE}")).toEqual(["docker-entrypoint.sh", "node"]);
    expect(argv("ARG TAG\nFROM node:${TAG:-20}")).toEqual(["docker-entrypoint.sh", "node"]);
  });
});

describe("npm-as-pid1 and shell-form-entrypoint in Dockerfiles", () => {
  it("points at the instruction that puts the program first", () => {
    expect(
      brief(lintDocker('FROM node:20\nENTRYPOINT ["tini", "--"]\nCMD ["npm", "start"]\n')),
    ).toEqual(["3 npm-as-pid1"]);
    expect(brief(lintDocker('FROM node:20\nENTRYPOINT ["npm"]\nCMD ["start"]\n'))).toEqual([
      "2 npm-as-pid1",
    ]);
    expect(brief(lintDocker("FROM node:20\nCMD npm ci \\\n  && npm start\n"))).toEqual([
      "2 npm-as-pid1",
    ]);
    expect(brief(lintDocker("FROM node:20\nCMD node server.js\n"))).toEqual([
      "2 shell-form-entrypoint",
    ]);
    expect(
      brief(lintDocker('FROM node:20\nSHELL ["/bin/bash", "-c"]\nCMD node server.js\n')),
    ).toEqual([]);
    expect(brief(lintDocker('FROM node:20\nSHELL ["/bin/bash", "-c"]\nCMD a && node b\n'))).toEqual(
      ["3 shell-form-entrypoint"],
    );
    expect(brief(lintDocker("FROM node:20\nCMD exec node server.js\n"))).toEqual([]);
  });

  it("gives exec-form autofixes that splice to the expected Dockerfile", () => {
    const fixed = (text: string) => {
      const f = lintDocker(text)[0];
      expect(f.fix).not.toBeNull();
      return applyEdits(text, f.fix!.edits);
    };
    expect(fixed("FROM node:20\nCMD node \\\n  server.js --port 80\nEXPOSE 80\n")).toBe(
      'FROM node:20\nCMD ["node", "server.js", "--port", "80"]\nEXPOSE 80\n',
    );
    expect(fixed('FROM node:20\nENTRYPOINT ["/bin/sh", "-c", "node app.js"]\n')).toBe(
      'FROM node:20\nENTRYPOINT ["node", "app.js"]\n',
    );
    expect(fixed("FROM node:20\r\nCMD ['node', 'app.js']\r\n")).toBe(
      'FROM node:20\r\nCMD ["node", "app.js"]\r\n',
    );
    // Re-linting the fixed text is silent.
    expect(lintDocker('FROM node:20\nCMD ["node", "server.js", "--port", "80"]\n')).toEqual([]);
  });

  it("suggests exec instead of an autofix when the script does more than start the app", () => {
    const [f] = lintDocker("FROM node:20\nCMD ./migrate && node server.js\n");
    expect(f.ruleId).toBe("shell-form-entrypoint");
    expect(f.fix).toBeNull();
    expect(f.suggestions[0].snippet).toBe("exec node server.js");
    // A shell-form ENTRYPOINT beside a CMD: exec form would append the CMD to it.
    const [g] = lintDocker('FROM x\nENTRYPOINT node app.js\nCMD ["--port", "80"]\n');
    expect(g.fix).toBeNull();
  });

  it("is suppressed by disable comments in the Dockerfile", () => {
    expect(
      lintDocker(
        "FROM node:20\n# drainlint-disable-next-line npm-as-pid1 -- legacy\nCMD npm start\n",
      ),
    ).toEqual([]);
    expect(
      lintDocker("# drainlint-disable-file shell-form-entrypoint\nFROM node:20\nCMD node a.js\n"),
    ).toEqual([]);
    expect(
      brief(
        lintDocker(
          "FROM node:20\n# drainlint-disable-next-line shell-form-entrypoint\nCMD npm start\n",
        ),
      ),
    ).toEqual(["3 npm-as-pid1"]);
  });

  it("reports a broken Dockerfile once, as parse-error, and lints nothing else in it", () => {
    const fs = lintDocker("FROM node:20\nCMD npm start\nFORM x\nFORM y\n");
    expect(brief(fs)).toEqual(["3 parse-error"]);
    expect(fs[0].message).toMatch(/unknown instruction "FORM"/);
  });
});

describe("npm-as-pid1 fixes from package.json", () => {
  const fixFor = (docker: string, files: Record<string, string>) => {
    const v = view(docker, files);
    return v;
  };

  it("reads the start script, npm's server.js default, run scripts and extra args", async () => {
    const { scriptCommand } = await import("../src/model/dockerfile.js");
    const cmd = (docker: string, files: Record<string, string>) => {
      const v = fixFor(docker, files);
      const r = scriptCommand(v.pid1!.pm!, v.packageJson);
      return [r.argv.join(" "), r.exact, r.reason];
    };
    const pkg = (scripts: Record<string, string>) => ({
      "package.json": JSON.stringify({ scripts }),
    });
    expect(cmd('FROM node:20\nCMD ["npm", "start"]', pkg({ start: "node server.js" }))).toEqual([
      "node server.js",
      true,
      null,
    ]);
    expect(
      cmd('FROM node:20\nCMD ["npm", "start"]', { "package.json": "{}", "server.js": "" }),
    ).toEqual(["node server.js", true, null]);
    expect(
      cmd(
        'FROM node:20\nCMD ["npm", "run", "web", "--", "--port", "80"]',
        pkg({ web: "exec node dist/web.js" }),
      ),
    ).toEqual(["node dist/web.js --port 80", true, null]);
    expect(
      cmd('FROM node:20\nCMD ["npm", "start"]', pkg({ start: "node a.js", prestart: "x" }))[2],
    ).toMatch(/prestart/);
    expect(
      cmd('FROM node:20\nCMD ["npm", "start"]', pkg({ start: "tsc && node a.js" }))[2],
    ).toMatch(/not one plain command/);
    expect(cmd('FROM node:20\nCMD ["npm", "start"]', pkg({ start: "next start" }))).toEqual([
      "node_modules/.bin/next start",
      false,
      expect.stringMatching(/node_modules\/\.bin/),
    ]);
    expect(cmd('FROM node:20\nCMD ["npm", "start"]', {})[2]).toMatch(/no package.json/);
    expect(cmd('FROM node:20\nCMD ["npm", "start"]', { "package.json": "{" })[2]).toMatch(
      /not valid JSON/,
    );
  });
});

describe("robustness and STOPSIGNAL", () => {
  it("never throws on arbitrary Dockerfile-like text, and positions stay inside the file", () => {
    const line = fc.oneof(
      fc.constantFrom(
        "FROM node:22",
        "FROM base",
        "FROM node:20 AS base",
        "ARG V=1",
        'SHELL ["/bin/bash", "-c"]',
        'ENTRYPOINT ["tini", "--"]',
        "ONBUILD CMD npm start",
        "STOPSIGNAL 9",
        "RUN <<EOF",
        "EOF",
        "# escape=`",
        "# drainlint-disable-next-line",
        "\\",
      ),
      fc
        .tuple(fc.constantFrom("CMD ", "ENTRYPOINT ", "cmd ", "RUN "), fc.string({ maxLength: 30 }))
        .map(([k, a]) => k + a),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 12 }),
        fc.constantFrom("\n", "\r\n"),
        (lines, eol) => {
          const text = lines.join(eol);
          const findings = lintDocker(text);
          for (const f of findings) {
            expect(f.line).toBeGreaterThanOrEqual(1);
            expect(f.line).toBeLessThanOrEqual(lines.length + 1);
            for (const e of f.fix?.edits ?? []) {
              expect(e.start).toBeGreaterThanOrEqual(0);
              expect(e.end).toBeLessThanOrEqual(text.length);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reports STOPSIGNAL SIGKILL of the final stage under invalid-shutdown-config", () => {
    expect(brief(lintDocker('FROM node:22\nSTOPSIGNAL SIGKILL\nCMD ["node", "a.js"]\n'))).toEqual([
      "2 invalid-shutdown-config",
    ]);
    expect(brief(lintDocker('FROM node:22\nSTOPSIGNAL kill\nCMD ["node", "a.js"]\n'))).toEqual([
      "2 invalid-shutdown-config",
    ]);
    expect(brief(lintDocker('FROM node:22\nSTOPSIGNAL SIGINT\nCMD ["node", "a.js"]\n'))).toEqual(
      [],
    );
    expect(
      brief(lintDocker('FROM node:22 AS a\nSTOPSIGNAL 9\nFROM node:22\nCMD ["node", "a.js"]\n')),
    ).toEqual([]);
  });
});

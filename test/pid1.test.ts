/** The PID 1 model (DOMAIN.md §5): the shell tokenizer, argv analysis, the manifest verdict. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeArgv, manifestPid1Problem, packageManagerOf } from "../src/model/pid1.js";
import { appCommand, parseShellScript } from "../src/model/shell.js";
import type { ContainerView } from "../src/model/workload.js";

function container(command?: unknown, args?: unknown): ContainerView {
  const path = ["spec", "template", "spec", "containers", 0];
  return {
    name: "app",
    role: "main",
    index: 0,
    path,
    raw: { name: "app", command, args } as ContainerView["raw"],
    image: "node:20",
    ports: [],
    readinessProbe: null,
    livenessProbe: null,
    startupProbe: null,
  };
}

describe("parseShellScript", () => {
  const words = (s: string) =>
    parseShellScript(s).commands.map((c) => [
      ...c.assignments.map((w) => w.text),
      ...c.words.map((w) => w.text),
      c.next,
    ]);

  it("splits lists, pipelines, background jobs and lines", () => {
    expect(words("npm ci && npm start")).toEqual([
      ["npm", "ci", "&&"],
      ["npm", "start", null],
    ]);
    expect(words("a; b || c | d & e\nf")).toEqual([
      ["a", ";"],
      ["b", "||"],
      ["c", "|"],
      ["d", "&"],
      ["e", "\n"],
      ["f", null],
    ]);
  });

  it("removes quotes and keeps word boundaries", () => {
    expect(words(`node 'my app.js' "a b" c\\ d "x"'y'`)).toEqual([
      ["node", "my app.js", "a b", "c d", "xy", null],
    ]);
  });

  it("marks expansions, globs, assignments, redirections and comments", () => {
    const s = parseShellScript('A=1 node "$HOME/x" $(cat f) *.js > log 2>&1 # done');
    const c = s.commands[0];
    expect(c.assignments.map((w) => w.text)).toEqual(["A=1"]);
    expect(c.words.map((w) => [w.text, w.expansion, w.glob])).toEqual([
      ["node", false, false],
      ["$HOME/x", true, false],
      ["$(cat f)", true, false],
      ["*.js", false, true],
    ]);
    expect(c.redirects).toBe(true);
    expect(s.commands).toHaveLength(1);
  });

  it("flags compound syntax and unterminated quotes", () => {
    expect(parseShellScript("if true; then node x; fi").complex).toBe(true);
    expect(parseShellScript("(node x)").complex).toBe(true);
    expect(parseShellScript("cat <<EOF\nx\nEOF").complex).toBe(true);
    expect(parseShellScript("node 'x").error).toMatch(/single quote/);
    expect(parseShellScript('node "x').error).toMatch(/double quote/);
    expect(parseShellScript("node $(x").error).toMatch(/substitution/);
  });

  it("finds the app: the first exec, else the last command", () => {
    const app = (s: string) => {
      const a = appCommand(parseShellScript(s))!;
      return [a.words.map((w) => w.text).join(" "), a.exec, a.single];
    };
    expect(app("source env && exec node server.js")).toEqual(["node server.js", true, false]);
    expect(app("exec -a web node server.js")).toEqual(["node server.js", true, true]);
    expect(app("node server.js")).toEqual(["node server.js", false, true]);
    expect(app("npm ci && npm start")).toEqual(["npm start", false, false]);
    expect(app("node server.js &")).toEqual(["node server.js", false, false]);
  });

  it("never throws and keeps every non-space character of plain words (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = parseShellScript(s);
        expect(Array.isArray(r.commands)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9./_-]{1,8}$/), { minLength: 1, maxLength: 6 }),
        (ws) => {
          const r = parseShellScript(ws.join(" "));
          expect(r.commands[0].words.map((w) => w.text)).toEqual(ws);
        },
      ),
    );
  });
});

describe("packageManagerOf", () => {
  it("reads the script each invocation runs", () => {
    const s = (ws: string) => {
      const pm = packageManagerOf(ws.split(" "));
      return pm && [pm.tool, pm.script, pm.extraArgs.join(" "), pm.corepack];
    };
    expect(s("npm start")).toEqual(["npm", "start", "", false]);
    expect(s("npm run web -- --port 3000")).toEqual(["npm", "web", "--port 3000", false]);
    expect(s("/usr/local/bin/npm run-script web")).toEqual(["npm", "web", "", false]);
    expect(s("yarn start")).toEqual(["yarn", "start", "", false]);
    expect(s("yarn dev --host")).toEqual(["yarn", "dev", "--host", false]);
    expect(s("corepack pnpm run serve")).toEqual(["pnpm", "serve", "", true]);
    expect(s("npx next start")).toEqual(["npx", null, "", false]);
    expect(s("node server.js")).toBeNull();
  });
});

describe("analyzeArgv", () => {
  const verdict = (argv: string[]) => {
    const v = analyzeArgv(argv).verdict;
    return v && [v.kind, v.program, v.index];
  };

  it("flags package managers directly, behind init wrappers and inside sh -c", () => {
    expect(verdict(["npm", "start"])).toEqual(["package-manager", "npm", 0]);
    expect(verdict(["/sbin/tini", "--", "npm", "start"])).toEqual(["package-manager", "npm", 2]);
    expect(verdict(["dumb-init", "-r", "15:3", "yarn", "start"])).toEqual([
      "package-manager",
      "yarn",
      3,
    ]);
    expect(verdict(["docker-entrypoint.sh", "npm", "start"])).toEqual([
      "package-manager",
      "npm",
      1,
    ]);
    expect(verdict(["sh", "-c", "npm ci && npm start"])).toEqual(["package-manager", "npm", 2]);
    expect(verdict(["/bin/sh", "-c", "exec npm start"])).toEqual(["package-manager", "npm", 2]);
    expect(verdict(["env", "NODE_ENV=production", "corepack", "pnpm", "start"])).toEqual([
      "package-manager",
      "pnpm",
      2,
    ]);
  });

  it("flags a shell that keeps PID 1, with the bash single-command exception", () => {
    expect(verdict(["/bin/sh", "-c", "node server.js"])).toEqual(["shell", "/bin/sh", 2]);
    expect(verdict(["sh", "-ec", "migrate; node server.js"])).toEqual(["shell", "sh", 2]);
    expect(verdict(["bash", "-c", "node server.js"])).toBeNull();
    expect(verdict(["bash", "-c", "migrate && node server.js"])).toEqual(["shell", "bash", 2]);
    expect(verdict(["sh", "-c", "source env && exec node server.js"])).toBeNull();
    expect(verdict(["sh", "-c", 'exec "$@"', "--", "node", "x"])).toBeNull();
    expect(verdict(["sh", "-c", "trap 'kill $P' TERM; node x & P=$!; wait $P"])).toBeNull();
    expect(verdict(["sh", "script.sh"])).toBeNull();
    expect(verdict(["/bin/sh", "-c", "-x", "while true; do work; done"])).toEqual([
      "shell",
      "/bin/sh",
      3,
    ]);
    expect(verdict(["bash", "-o", "pipefail", "-c", "a | node b"])).toEqual(["shell", "bash", 4]);
  });

  it("leaves plain programs and the node image's implicit node alone", () => {
    expect(verdict(["node", "server.js"])).toBeNull();
    expect(verdict(["tini", "--", "node", "server.js"])).toBeNull();
    expect(verdict(["docker-entrypoint.sh", "node"])).toBeNull();
    expect(verdict(["docker-entrypoint.sh", "server.js"])).toBeNull();
    expect(verdict(["docker-entrypoint.sh", "--inspect"])).toBeNull();
    expect(verdict([])).toBeNull();
  });
});

describe("manifestPid1Problem", () => {
  const base = ["spec", "template", "spec", "containers", 0];

  it("points at command, or at args when the program comes from args", () => {
    expect(manifestPid1Problem(container(["npm", "start"]))).toMatchObject({
      kind: "package-manager",
      program: "npm",
      path: [...base, "command"],
    });
    expect(manifestPid1Problem(container(["tini", "--"], ["npm", "run", "web"]))).toMatchObject({
      kind: "package-manager",
      path: [...base, "args"],
    });
    expect(manifestPid1Problem(container(undefined, ["yarn", "start"]))).toMatchObject({
      program: "yarn",
      path: [...base, "args"],
    });
    expect(manifestPid1Problem(container(["sh", "-c"], ["node server.js"]))).toMatchObject({
      kind: "shell",
      path: [...base, "args"],
    });
    expect(manifestPid1Problem(container(["sh", "-c", "npm start"]))?.reason).toMatch(
      /under \/bin\/sh -c/,
    );
  });

  it("is null without command/args, for malformed values and for exec'd apps", () => {
    expect(manifestPid1Problem(container())).toBeNull();
    expect(manifestPid1Problem(container("npm start"))).toBeNull();
    expect(manifestPid1Problem(container(["node", "server.js"]))).toBeNull();
    expect(manifestPid1Problem(container(["sh", "-c", "exec node server.js"]))).toBeNull();
  });
});

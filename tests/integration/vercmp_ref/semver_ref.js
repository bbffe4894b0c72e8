// Reference for vercmp_reference.sh: npm's node-semver (Debian node-semver), strict mode.
// Reads "A<TAB>B" lines and prints <, = or > (E when either is not SemVer);
// with --valid reads one version per line and prints valid or invalid.
"use strict";
const dir = "/usr/share/nodejs/semver/functions/";
const compare = require(dir + "compare.js");
const valid = require(dir + "valid.js");
const lines = require("fs").readFileSync(0, "utf8").split("\n");
if (lines.length && lines[lines.length - 1] === "") lines.pop();
const out = [];
const validMode = process.argv[2] === "--valid";
// node-semver tolerates surrounding blanks and a leading '=' or 'v'; SemVer itself does not
const strict = (s) => valid(s) !== null && !/^\s|\s$|^=/.test(s);
// node-semver also refuses numbers above 2^53-1, a JavaScript limit SemVer does not have
const jsSafe = (s) => !/[0-9]{16,}/.test(s.split("+")[0]);
for (const line of lines) {
  if (validMode) {
    out.push(!jsSafe(line) ? "skip" : strict(line) ? "valid" : "invalid");
    continue;
  }
  const tab = line.indexOf("\t");
  const a = line.slice(0, tab), b = line.slice(tab + 1);
  if (!strict(a) || !strict(b) || !jsSafe(a) || !jsSafe(b)) {
    out.push("E");
    continue;
  }
  const r = compare(a, b);
  out.push(r < 0 ? "<" : r > 0 ? ">" : "=");
}
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));

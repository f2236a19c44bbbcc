// Lints Dockerfiles with dockerfile-utils (the validator of the Dockerfile language server), every check on.
// Usage: node lint.mjs <Dockerfile>...   Prints "file:line: severity: message" per problem and "ok <file>" for a
// clean one; exits 1 if any file has a problem.
import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

const WARNING = 1;
const everyCheck = {
  deprecatedMaintainer: WARNING,
  directiveCasing: WARNING,
  emptyContinuationLine: WARNING,
  instructionCasing: WARNING,
  instructionCmdMultiple: WARNING,
  instructionEntrypointMultiple: WARNING,
  instructionHealthcheckMultiple: WARNING,
  instructionJSONInSingleQuotes: WARNING,
  instructionWorkdirRelative: WARNING,
};

let problems = 0;
for (const file of process.argv.slice(2)) {
  const diagnostics = validate(readFileSync(file, "utf8"), everyCheck);
  for (const d of diagnostics) {
    problems++;
    console.log(`${file}:${d.range.start.line + 1}: ${d.severity === 1 ? "error" : "warning"}: ${d.message}`);
  }
  if (diagnostics.length === 0) console.log(`ok ${file}`);
}
process.exit(problems === 0 ? 0 : 1);

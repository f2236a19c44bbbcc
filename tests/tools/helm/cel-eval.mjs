// Evaluates CEL expressions with an independent implementation (npm @marcbachmann/cel-js), e.g. a DeviceClass's or a
// ResourceClaim's device selectors against ResourceSlice devices (the variable `device`: driver, attributes and
// capacity by qualified domain, as the scheduler exposes them).
// Usage: node cel-eval.mjs <input.json>, input [{name, expression, context}]. Prints one JSON line per case: {name,
// result} or {name, error} and exits 0; exits 1 when any expression cannot be parsed or evaluated.
import { readFileSync } from "node:fs";
import { evaluate } from "@marcbachmann/cel-js";

let failed = false;
for (const { name, expression, context } of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  try {
    console.log(JSON.stringify({ name, result: evaluate(expression, context) }));
  } catch (error) {
    failed = true;
    console.log(JSON.stringify({ name, error: error.message }));
  }
}
process.exit(failed ? 1 : 0);

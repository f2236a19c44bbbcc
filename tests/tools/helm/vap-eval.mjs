// Evaluates a ValidatingAdmissionPolicy's CEL the way the API server does, with an independent CEL implementation
// (npm @marcbachmann/cel-js): matchConditions first (a request that fails one is not the policy's business), then
// spec.variables in order (each sees the earlier ones as variables.<name>), then every validation.
// Usage: node vap-eval.mjs <input.json>, input {policy: <ValidatingAdmissionPolicy>, requests: [{name, object,
// oldObject, userInfo, operation}]} (operation defaults to UPDATE; as on the API server, a CREATE has a null
// oldObject and a DELETE a null object). Prints one JSON line per request: {name, matched, allowed, messages} and
// exits 0; a CEL error (an expression this implementation cannot parse or evaluate) is printed and exits 1.
import { readFileSync } from "node:fs";
import { evaluate } from "@marcbachmann/cel-js";

const { policy, requests } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const spec = policy.spec;
let failed = false;

function run(expression, context, what) {
  try {
    return evaluate(expression, context);
  } catch (error) {
    failed = true;
    throw new Error(`${what}: ${error.message}\n  expression: ${expression}`);
  }
}

for (const request of requests) {
  const context = {
    object: request.object ?? null,
    oldObject: request.oldObject ?? null,
    request: { operation: request.operation ?? "UPDATE", userInfo: request.userInfo, name: (request.object ?? request.oldObject)?.metadata?.name },
    variables: {},
  };
  try {
    const matched = (spec.matchConditions ?? []).every(c => run(c.expression, context, `matchCondition ${c.name}`) === true);
    if (!matched) {
      console.log(JSON.stringify({ name: request.name, matched: false, allowed: true, messages: [] }));
      continue;
    }
    for (const variable of spec.variables ?? []) {
      context.variables[variable.name] = run(variable.expression, context, `variable ${variable.name}`);
    }
    const messages = [];
    for (const validation of spec.validations ?? []) {
      if (run(validation.expression, context, "validation") !== true) {
        messages.push(validation.messageExpression
          ? String(run(validation.messageExpression, context, "messageExpression"))
          : validation.message ?? validation.expression);
      }
    }
    console.log(JSON.stringify({ name: request.name, matched: true, allowed: messages.length === 0, messages }));
  } catch (error) {
    console.log(`error ${request.name}: ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);

// Validates Kubernetes objects against the OpenAPI schemas in npm `kubernetes-models`, offline.
// Usage: node validate.mjs <objects.json>   (a JSON array of objects, e.g. a rendered chart)
// Prints one line per object ("ok Kind/name", "skip Kind/name: <why>" or "invalid Kind/name: <errors>")
// and exits 1 if any object is invalid. kubernetes-models does not flag unknown fields.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
let invalid = 0;
for (const object of objects) {
  const { apiVersion, kind } = object;
  const name = `${kind}/${object.metadata?.name ?? "(unnamed)"}`;
  // core/v1 lives under "v1", groups under "<group>/<version>".
  const modulePath = `kubernetes-models/${apiVersion}/${kind}`;
  let Model;
  try {
    Model = (await import(modulePath))[kind];
  } catch {
    console.log(`skip ${name}: no model for ${apiVersion} ${kind} (a CRD)`);
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`ok ${name}`);
  } catch (error) {
    invalid++;
    const details = error.errors ? JSON.stringify(error.errors) : String(error);
    console.log(`invalid ${name}: ${details}`);
  }
}
process.exit(invalid === 0 ? 0 : 1);

using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// Evaluates a rendered ValidatingAdmissionPolicy against admission requests of any operation with an independent CEL
/// implementation (tests/tools/helm/vap-eval.mjs, npm @marcbachmann/cel-js), all requests in one node process.
/// </summary>
internal static class VapEvaluator
{
    /// <param name="policy">The ValidatingAdmissionPolicy as rendered.</param>
    /// <param name="requests">Each {name, operation, userInfo, oldObject, object} (operation defaults to UPDATE).</param>
    /// <returns>Each request's verdict {name, matched, allowed, messages}, by name.</returns>
    public static async Task<Dictionary<string, JsonObject>> EvaluateAsync(JsonObject policy, JsonArray requests)
    {
        var dir = Directory.CreateTempSubdirectory("chart-vap-").FullName;
        try
        {
            var input = Path.Combine(dir, "input.json");
            var document = new JsonObject { ["policy"] = policy.DeepClone(), ["requests"] = requests.DeepClone() };
            await File.WriteAllTextAsync(input, document.ToJsonString()).WaitAsync(TimeSpan.FromSeconds(10));

            var (exit, output) = await NodeTool.RunAsync("helm", "vap-eval.mjs", input).WaitAsync(TimeSpan.FromSeconds(90));

            Assert.True(exit == 0, output);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonNode.Parse(line)!.AsObject())
                .ToDictionary(v => (string)v["name"]!, StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

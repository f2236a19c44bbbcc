using System.Text.Json.Nodes;

namespace Platform.Chart.Tests;

/// <summary>
/// Evaluates a rendered ValidatingAdmissionPolicy's CEL with an independent implementation (tests/tools/helm/vap-eval.mjs,
/// npm @marcbachmann/cel-js): one node process for a batch of UPDATE requests, one verdict per request name.
/// </summary>
internal static class AdmissionPolicyEvaluator
{
    /// <summary>Requests are objects {name, operation (default UPDATE), userInfo, oldObject, object}; the verdicts are {name, matched, allowed, messages}.</summary>
    public static async Task<Dictionary<string, JsonObject>> EvaluateAsync(JsonObject policy, JsonArray requests)
    {
        var dir = Directory.CreateTempSubdirectory("chart-vap-").FullName;
        try
        {
            var input = Path.Combine(dir, "input.json");
            var document = new JsonObject { ["policy"] = policy.DeepClone(), ["requests"] = requests };
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

    /// <summary>The user info of <paramref name="user"/>; a bound service-account token also names its Node and pod.</summary>
    public static JsonObject UserInfo(string user, string? tokenNode)
    {
        var info = new JsonObject { ["username"] = user, ["groups"] = new JsonArray("system:authenticated") };
        if (tokenNode is not null)
        {
            info["extra"] = new JsonObject
            {
                ["authentication.kubernetes.io/node-name"] = new JsonArray(tokenNode),
                ["authentication.kubernetes.io/pod-name"] = new JsonArray("agent-x"),
            };
        }

        return info;
    }

    /// <summary>The policy matched the request and let it through.</summary>
    public static void AssertAllowed(JsonObject verdict)
    {
        Assert.True((bool)verdict["matched"]!, verdict.ToJsonString());
        Assert.True((bool)verdict["allowed"]!, verdict.ToJsonString());
    }

    /// <summary>The policy matched the request and refused it with exactly one message, containing <paramref name="message"/>.</summary>
    public static void AssertRefused(JsonObject verdict, string message)
    {
        Assert.True((bool)verdict["matched"]!, verdict.ToJsonString());
        Assert.False((bool)verdict["allowed"]!, verdict.ToJsonString());
        var messages = verdict["messages"]!.AsArray().Select(m => (string)m!).ToList();
        Assert.Single(messages);
        Assert.Contains(message, messages[0], StringComparison.Ordinal);
    }

    /// <summary>The request is not the policy's business (its match conditions leave it out).</summary>
    public static void AssertNotMatched(JsonObject verdict)
    {
        Assert.False((bool)verdict["matched"]!, verdict.ToJsonString());
        Assert.True((bool)verdict["allowed"]!);
    }
}

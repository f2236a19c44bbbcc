using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>
/// Builds the <c>ray start</c> line the way KubeRay v1.7.0 does (common/pod.go: updateRayStartParamsResources,
/// setMissingRayStartParams, generateRayStartCommand, convertParamMap), so previews carry the <c>--num-gpus</c>
/// the webhook has to keep in step with the GPU limit.
/// </summary>
internal static partial class RayStartCommandBuilder
{
    /// <summary>Flags whose explicit "false" must still be written.</summary>
    private static readonly string[] ExplicitBooleanFlags = ["log-color", "include-dashboard", "include-log-monitor"];

    /// <summary>Custom accelerators KubeRay turns into Ray resources (first found, sorted by name).</summary>
    private static readonly Dictionary<string, string> CustomAccelerators = new(StringComparer.Ordinal)
    {
        ["aws.amazon.com/neuroncore"] = "neuron_cores",
        ["google.com/tpu"] = "TPU",
    };

    /// <summary>Applies the group's top-level <c>resources</c> map (cpu, memory, GPUs, custom resources) to the params.</summary>
    public static void ApplyGroupResources(SortedDictionary<string, string> parameters, JsonObject? groupResources)
    {
        if (groupResources is null || groupResources.Count == 0)
        {
            return;
        }

        var custom = new JsonObject();
        foreach (var (name, quantity) in groupResources)
        {
            if (!ResourceQuantity.TryParse(quantity, out var value))
            {
                continue;
            }

            var lower = name.ToLowerInvariant();
            if (lower == "cpu")
            {
                parameters["num-cpus"] = ResourceQuantity.CeilingValue(value).ToString(CultureInfo.InvariantCulture);
            }
            else if (lower == "memory")
            {
                parameters["memory"] = ResourceQuantity.CeilingValue(value).ToString(CultureInfo.InvariantCulture);
            }
            else if (IsGpuResourceName(lower))
            {
                parameters["num-gpus"] = ResourceQuantity.CeilingValue(value).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                custom[name] = JsonValue.Create((double)value);
            }
        }

        if (custom.Count > 0)
        {
            parameters["resources"] = $"'{SortedJson(custom)}'";
        }
    }

    /// <summary>Applies the group's top-level <c>labels</c> map as <c>--labels=k=v,...</c> (sorted).</summary>
    public static void ApplyGroupLabels(SortedDictionary<string, string> parameters, JsonObject? groupLabels)
    {
        if (groupLabels is null || groupLabels.Count == 0)
        {
            return;
        }

        parameters["labels"] = string.Join(",", groupLabels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={ScalarText(p.Value)}"));
    }

    public static void SetMissing(SortedDictionary<string, string> parameters, bool isHead, string workerAddress)
    {
        if (isHead)
        {
            parameters.TryAdd("dashboard-host", "0.0.0.0");
        }
        else
        {
            parameters.TryAdd("address", workerAddress);
        }

        parameters.TryAdd("metrics-export-port", KubeRayConventions.DefaultMetricsPort.ToString(CultureInfo.InvariantCulture));
        parameters["block"] = "true";
        parameters.TryAdd("dashboard-agent-listen-port", KubeRayConventions.DefaultDashboardAgentListenPort.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Fills num-cpus, memory, num-gpus and custom accelerators from container 0's resources, then renders the line.</summary>
    public static string Generate(SortedDictionary<string, string> parameters, bool isHead, JsonObject? containerResources)
    {
        var limits = containerResources?["limits"] as JsonObject;
        var requests = containerResources?["requests"] as JsonObject;
        if (!parameters.ContainsKey("num-cpus"))
        {
            var cpu = NonZero(limits?["cpu"]) ?? NonZero(requests?["cpu"]);
            if (cpu is { } c)
            {
                parameters["num-cpus"] = ResourceQuantity.CeilingValue(c).ToString(CultureInfo.InvariantCulture);
            }
        }

        if (!parameters.ContainsKey("memory") && NonZero(limits?["memory"]) is { } memory)
        {
            parameters["memory"] = ResourceQuantity.CeilingValue(memory).ToString(CultureInfo.InvariantCulture);
        }

        if (limits is not null)
        {
            AddAccelerators(parameters, limits);
        }

        var flags = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            var lower = value.ToLowerInvariant();
            if (lower is "true" or "false" && !ExplicitBooleanFlags.Contains(key))
            {
                if (lower == "true")
                {
                    flags.Append(" --").Append(key).Append(' ');
                }
            }
            else
            {
                flags.Append(" --").Append(key).Append('=').Append(value).Append(' ');
            }
        }

        return isHead ? $"ray start --head {flags}" : $"ray start {flags}";
    }

    /// <summary>KubeRay's test for GPU resource names: ends in "gpu", or a MIG profile like nvidia.com/mig-2g.32gb.</summary>
    public static bool IsGpuResourceName(string name) => name.EndsWith("gpu", StringComparison.Ordinal) || MigResource().IsMatch(name);

    /// <summary>Stringifies rayStartParams values: the CRD says strings, people write <c>num-cpus: 1</c> anyway.</summary>
    public static string ScalarText(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static void AddAccelerators(SortedDictionary<string, string> parameters, JsonObject limits)
    {
        var resources = ParseResources(parameters);
        var customPresent = resources is not null && CustomAccelerators.Values.Any(resources.ContainsKey);
        foreach (var (name, quantity) in limits.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var amount = NonZero(quantity);
            if (amount is null)
            {
                continue;
            }

            if (!parameters.ContainsKey("num-gpus") && IsGpuResourceName(name))
            {
                parameters["num-gpus"] = ResourceQuantity.CeilingValue(amount.Value).ToString(CultureInfo.InvariantCulture);
            }

            if (!customPresent && resources is not null && CustomAccelerators.TryGetValue(name, out var rayName))
            {
                if (!resources.ContainsKey(rayName))
                {
                    resources[rayName] = JsonValue.Create((double)amount.Value);
                    parameters["resources"] = $"'{SortedJson(resources)}'";
                }

                customPresent = true;
            }
        }
    }

    private static JsonObject? ParseResources(SortedDictionary<string, string> parameters)
    {
        if (!parameters.TryGetValue("resources", out var text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text.Trim('\'', '"', '`', ' ')) as JsonObject;
        }
        catch (JsonException)
        {
            // KubeRay logs and leaves the params alone when the user's resources JSON does not parse.
            return null;
        }
    }

    private static decimal? NonZero(JsonNode? quantity) =>
        ResourceQuantity.TryParse(quantity, out var value) && value != 0 ? value : null;

    /// <summary>Go's json.Marshal of a map sorts keys; match it so previews are stable.</summary>
    private static string SortedJson(JsonObject obj)
    {
        var sorted = new JsonObject();
        foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sorted[key] = value?.DeepClone();
        }

        return sorted.ToJsonString();
    }

    [GeneratedRegex(@"nvidia\.com/mig-\d+g\.\d+gb$")]
    private static partial Regex MigResource();
}

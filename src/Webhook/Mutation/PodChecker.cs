using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>Checks a patched pod the way the API server would before it is persisted. A patch that yields an
/// invalid pod rejects the pod even with failurePolicy Ignore, so the webhook must never send one.
/// Every section the patch touched (a container's resources, env or args; tolerations; affinity; a string
/// map) must parse as its core/v1 type (KubernetesClient's models and their
/// source-generated serializer), extended-resource requests must equal limits, and tolerations must be
/// unique. Untouched sections are the user's and the API server validates them as usual; parsing only
/// what changed keeps the check to tens of microseconds instead of parsing the whole pod.</summary>
internal static class PodChecker
{
    /// <summary>Returns the first problem found, or null when the touched parts of the pod are valid.</summary>
    public static string? Check(JsonObject pod, IReadOnlyList<JsonPatchOperation> patch)
    {
        var sections = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var op in patch)
        {
            sections.Add(Section(op.Path));
        }

        foreach (var section in sections)
        {
            string? problem;
            try
            {
                problem = CheckSection(pod, section);
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
            {
                problem = $"{section} does not parse as part of a Pod: {e.Message}";
            }

            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>The unit a path belongs to: a field of a container (/spec/containers/0/resources), or a
    /// top-level field of spec or metadata (/spec/tolerations, /metadata/annotations).</summary>
    internal static string Section(string path)
    {
        // The first 5 segments (counting the empty one before the leading '/') for a container field, else 3:
        // the text before the 5th or 3rd '/', or the whole path when it is shorter.
        var third = NthSlash(path, 3);
        var isContainer = third >= 0 && path.AsSpan(NthSlash(path, 2) + 1, third - NthSlash(path, 2) - 1) is "containers" or "initContainers";
        var end = NthSlash(path, isContainer ? 5 : 3);
        return end < 0 ? path : path[..end];
    }

    /// <summary>The index of the <paramref name="n"/>-th '/' (1-based), or -1.</summary>
    private static int NthSlash(string path, int n)
    {
        var index = -1;
        for (var i = 0; i < n; i++)
        {
            var next = path.IndexOf('/', index + 1);
            if (next < 0)
            {
                return -1;
            }

            index = next;
        }

        return index;
    }

    private static string? CheckSection(JsonObject pod, string section)
    {
        var segments = JsonPointer.Parse(section);
        JsonNode? node = pod;
        foreach (var segment in segments)
        {
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        if (node is null)
        {
            return $"{section} is missing after the patch";
        }

        return segments switch
        {
            ["spec", "containers" or "initContainers", _, "resources"] => CheckResources(KubernetesJson.Deserialize<V1ResourceRequirements>(node), section),
            ["spec", "containers" or "initContainers", _, "env"] => CheckEnv(node, section),
            ["spec", "containers" or "initContainers", _, "args" or "command"] => CheckStrings(node, section),
            ["spec", "containers" or "initContainers", _] => $"{section} was replaced as a whole, which the webhook never does",
            ["spec", "tolerations"] => CheckTolerations(node),
            ["spec", "affinity"] => KubernetesJson.Deserialize<V1Affinity>(node) is null ? "/spec/affinity is null" : null,
            ["spec", "nodeSelector"] or ["metadata", "annotations" or "labels"] => CheckStringMap(node, section),
            _ => null,
        };
    }

    private static string? CheckResources(V1ResourceRequirements resources, string section)
    {
        var limits = resources.Limits;
        foreach (var (name, request) in resources.Requests ?? new Dictionary<string, ResourceQuantity>())
        {
            if (!KubernetesNames.IsExtendedResource(name))
            {
                continue;
            }

            // A JSON null quantity reads as a null limit: no limit either.
            if (limits is null || !limits.TryGetValue(name, out var limit) || limit is null)
            {
                return $"{section} requests {name} without a limit";
            }

            if (request is null)
            {
                return $"{section} requests {name} as null";
            }

            if (request.ToDecimal() != limit.ToDecimal())
            {
                return $"{section} requests {request} {name} but limits {limit}; extended resources need them equal";
            }
        }

        return null;
    }

    private static string? CheckEnv(JsonNode node, string section)
    {
        if (node is not JsonArray env)
        {
            return $"{section} is not a list";
        }

        for (var i = 0; i < env.Count; i++)
        {
            if (env[i] is not JsonObject variable)
            {
                return $"{section}/{i} is not an environment variable with a name";
            }

            if (CheckEnvVarFields(variable) is { } problem)
            {
                return $"{section}/{i} is not an environment variable {problem}";
            }
        }

        return null;
    }

    /// <summary>core/v1 EnvVar: a non-empty string name, a string value, a valueFrom source. Name and value are
    /// checked by hand, like a toleration's fields (a KubeRay worker has about twenty variables, and the typed
    /// deserializer serializes and re-reads each one); a valueFrom, rarer and nested, still goes through the
    /// typed model.</summary>
    private static string? CheckEnvVarFields(JsonObject variable)
    {
        if (variable["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String || string.IsNullOrEmpty(name.GetValue<string>()))
        {
            return "with a name";
        }

        if (variable["value"] is { } value && value.GetValueKind() != JsonValueKind.String)
        {
            return $"with a string value: value is a {value.GetValueKind()}";
        }

        if (variable["valueFrom"] is { } source && (source is not JsonObject || KubernetesJson.Deserialize<V1EnvVarSource>(source) is null))
        {
            return "source: valueFrom is not an EnvVarSource";
        }

        return null;
    }

    private static string? CheckStrings(JsonNode node, string section)
    {
        if (node is not JsonArray items)
        {
            return $"{section} is not a list of strings";
        }

        foreach (var item in items)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                return $"{section} is not a list of strings";
            }
        }

        return null;
    }

    private static string? CheckTolerations(JsonNode node)
    {
        if (node is not JsonArray tolerations)
        {
            return "/spec/tolerations is not a list";
        }

        for (var i = 0; i < tolerations.Count; i++)
        {
            if (tolerations[i] is not JsonObject toleration)
            {
                return $"/spec/tolerations/{i} is not an object";
            }

            if (CheckTolerationFields(toleration) is { } field)
            {
                return $"/spec/tolerations/{i}/{field}";
            }

            for (var j = 0; j < i; j++)
            {
                if (Toleration.SameIdentity(toleration, (JsonObject)tolerations[j]!))
                {
                    return $"tolerations {j} and {i} are the same toleration";
                }
            }
        }

        return null;
    }

    /// <summary>core/v1 Toleration's fields are four strings and one integer; checked by hand because the
    /// typed deserializer cost more than the rest of the check for a pod's handful of tolerations.</summary>
    internal static string? CheckTolerationFields(JsonObject toleration)
    {
        foreach (var (name, value) in toleration)
        {
            var kind = value?.GetValueKind() ?? JsonValueKind.Null;
            var ok = name switch
            {
                "key" or "operator" or "value" or "effect" => kind is JsonValueKind.String or JsonValueKind.Null,
                "tolerationSeconds" => kind is JsonValueKind.Null || (kind is JsonValueKind.Number && value!.AsValue().TryGetValue<long>(out _)),
                _ => true,
            };
            if (!ok)
            {
                return $"{name} is a {kind}, which a Toleration cannot hold";
            }
        }

        return null;
    }

    private static string? CheckStringMap(JsonNode node, string section)
    {
        if (node is not JsonObject map)
        {
            return $"{section} is not a map";
        }

        foreach (var (key, value) in map)
        {
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                return $"{section}/{JsonPointer.Escape(key)} is not a string";
            }
        }

        return null;
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>Checks what a patch introduces, the way the API server will judge it: every value the patch writes
/// has the core/v1 type of the place it lands, extended resources it sets keep requests equal to limits, and
/// nothing it adds duplicates what the pod already has (a toleration, an environment variable, a node
/// affinity requirement). What the user wrote is never judged here: the API server already accepts it
/// (duplicate tolerations included), and refusing the patch for it would let the pod escape the policy.
/// Every check is one pass over the values involved, so a pod with 16,000 tolerations costs 16,000 steps.</summary>
internal static class PatchProof
{
    private static readonly string[] SelectorOperators = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];
    private static readonly string[] TolerationOperators = ["Exists", "Equal"];
    private static readonly string[] TaintEffects = ["", "NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <summary>Returns the first problem found, or null when everything the patch introduces is valid.</summary>
    /// <param name="patched">The template with the patch applied.</param>
    /// <param name="patch">The operations, addressed to the template's root.</param>
    public static string? Check(JsonObject patched, IReadOnlyList<JsonPatchOperation> patch, CancellationToken cancellationToken)
    {
        var introduced = new Introduced();
        foreach (var op in patch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = new List<string>(JsonPointer.Parse(op.Path));
            if (Value(path, op.Value, introduced) is { } problem)
            {
                return $"{op.Path}: {problem}";
            }
        }

        return introduced.Check(patched, cancellationToken);
    }

    /// <summary>Checks a written value by where it lands, descending into objects and arrays the patch writes
    /// whole (a missing <c>/metadata/annotations</c> is added as one map).</summary>
    private static string? Value(List<string> path, JsonNode? value, Introduced introduced) => path switch
    {
        ["metadata"] or ["metadata", "annotations" or "labels"] or ["spec", "nodeSelector"]
            or ["spec", "affinity"] or ["spec", "affinity", "nodeAffinity"] or ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]
            or ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", _]
            or ["spec", "containers", _, "resources"] or ["spec", "containers", _, "resources", "limits" or "requests"] => Members(path, value, introduced),
        ["spec", "tolerations"] or ["spec", "containers", _, "env"]
            or ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]
            or ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", _, "matchExpressions"] => Items(path, value, introduced),
        ["metadata", "annotations" or "labels", _] or ["spec", "nodeSelector", _]
            or ["spec", "containers", _, "args" or "command", _] or ["spec", "containers", _, "env", _, "value"] => IsString(value) ? null : "is not a string",
        ["spec", "tolerations", var index] => Toleration(value) ?? introduced.Toleration(index),
        ["spec", "containers", var container, "env", _] => EnvVar(value) ?? introduced.EnvVar(container, ((JsonObject)value!)["name"]!.GetValue<string>()),
        ["spec", "containers", var container, "resources", "limits" or "requests", var name] => Quantity(value) ?? introduced.Resource(container, name),
        ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", var term, "matchExpressions", var index] =>
            Requirement(value) ?? introduced.Requirement(term, index),
        _ => "is a place the webhook never writes",
    };

    private static string? Members(List<string> path, JsonNode? value, Introduced introduced)
    {
        if (value is not JsonObject members)
        {
            return "is not an object";
        }

        foreach (var (name, member) in members)
        {
            path.Add(name);
            var problem = Value(path, member, introduced);
            path.RemoveAt(path.Count - 1);
            if (problem is not null)
            {
                return $"{JsonPointer.Escape(name)}: {problem}";
            }
        }

        return null;
    }

    private static string? Items(List<string> path, JsonNode? value, Introduced introduced)
    {
        if (value is not JsonArray items)
        {
            return "is not a list";
        }

        for (var i = 0; i < items.Count; i++)
        {
            var index = i.ToString(CultureInfo.InvariantCulture);
            path.Add(index);
            var problem = Value(path, items[i], introduced);
            path.RemoveAt(path.Count - 1);
            if (problem is not null)
            {
                return $"{index}: {problem}";
            }
        }

        return null;
    }

    private static bool IsString(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    private static string? Text(JsonObject o, string name) => JsonRead.String(o, name);

    /// <summary>core/v1 Toleration: four strings (operator and effect from their enums) and an integer.</summary>
    private static string? Toleration(JsonNode? value)
    {
        if (value is not JsonObject toleration)
        {
            return "is not a toleration";
        }

        foreach (var (name, field) in toleration)
        {
            var ok = name switch
            {
                "key" or "value" => IsString(field),
                "operator" => IsString(field) && TolerationOperators.Contains(field!.GetValue<string>()),
                "effect" => IsString(field) && TaintEffects.Contains(field!.GetValue<string>()),
                "tolerationSeconds" => field is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out _),
                _ => false,
            };
            if (!ok)
            {
                return $"{name} is not what a Toleration holds there";
            }
        }

        return string.IsNullOrEmpty(Text(toleration, "key")) && Text(toleration, "operator") != "Exists"
            ? "a toleration without a key must use operator Exists"
            : null;
    }

    /// <summary>core/v1 EnvVar as the webhook writes it: a non-empty name and a string value.</summary>
    private static string? EnvVar(JsonNode? value) =>
        value is JsonObject variable && variable.All(m => m.Key is "name" or "value" && IsString(m.Value)) && !string.IsNullOrEmpty(Text(variable, "name"))
            ? null
            : "is not an environment variable with a name and a string value";

    private static string? Quantity(JsonNode? value)
    {
        if (!IsString(value))
        {
            return "is not a resource quantity string";
        }

        try
        {
            _ = new k8s.Models.ResourceQuantity(value!.GetValue<string>()).ToDecimal();
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return $"\"{value!.GetValue<string>()}\" is not a resource quantity";
        }
    }

    /// <summary>core/v1 NodeSelectorRequirement: a key, an operator from its enum, string values.</summary>
    private static string? Requirement(JsonNode? value)
    {
        if (value is not JsonObject requirement || string.IsNullOrEmpty(Text(requirement, "key"))
            || Text(requirement, "operator") is not { } op || !SelectorOperators.Contains(op))
        {
            return "is not a node selector requirement with a key and an operator";
        }

        return requirement["values"] is null or JsonArray && (requirement["values"] as JsonArray ?? []).All(IsString)
            && requirement.All(m => m.Key is "key" or "operator" or "values")
            ? null
            : "is not a node selector requirement: values must be a list of strings";
    }

    /// <summary>What the patch added that must not repeat what is already there; checked once the patch is applied.</summary>
    private sealed class Introduced
    {
        private readonly List<int> _tolerations = [];
        private readonly List<(int Container, string Name)> _envVars = [];
        private readonly List<(int Container, string Name)> _resources = [];
        private readonly List<(int Term, int Index)> _requirements = [];

        public string? Toleration(string index) => Add(_tolerations, index);

        public string? EnvVar(string container, string name) => Index(container, out var c) ?? Add(_envVars, (c, name));

        public string? Resource(string container, string name) => Index(container, out var c) ?? Add(_resources, (c, name));

        public string? Requirement(string term, string index) =>
            Index(term, out var t) ?? Index(index, out var i) ?? Add(_requirements, (t, i));

        public string? Check(JsonObject patched, CancellationToken cancellationToken)
        {
            var spec = patched["spec"] as JsonObject;
            var containers = JsonRead.Array(spec, "containers");
            return Tolerations(JsonRead.Array(spec, "tolerations"), cancellationToken)
                ?? EnvVars(containers)
                ?? Resources(containers)
                ?? Requirements(JsonRead.Array(JsonRead.Object(JsonRead.Object(JsonRead.Object(spec, "affinity"), "nodeAffinity"), "requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms"));
        }

        private string? Tolerations(JsonArray? tolerations, CancellationToken cancellationToken)
        {
            if (_tolerations.Count == 0 || tolerations is null)
            {
                return null;
            }

            var counts = new Dictionary<TolerationIdentity, int>();
            foreach (var item in tolerations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (item is JsonObject toleration)
                {
                    var identity = TolerationJson.IdentityOf(toleration);
                    counts[identity] = counts.GetValueOrDefault(identity) + 1;
                }
            }

            foreach (var index in _tolerations)
            {
                if (index < tolerations.Count && tolerations[index] is JsonObject added && counts[TolerationJson.IdentityOf(added)] > 1)
                {
                    return $"/spec/tolerations/{index} repeats a toleration the pod already has";
                }
            }

            return null;
        }

        private string? EnvVars(JsonArray? containers)
        {
            foreach (var (container, name) in _envVars)
            {
                var env = JsonRead.Array(containers?[container], "env");
                if (env?.Count(e => e is JsonObject o && JsonRead.String(o, "name") == name) > 1)
                {
                    return $"/spec/containers/{container}/env: {name} would be set twice";
                }
            }

            return null;
        }

        /// <summary>Kubernetes refuses an extended resource whose request differs from its limit.</summary>
        private string? Resources(JsonArray? containers)
        {
            foreach (var (container, name) in _resources)
            {
                var resources = JsonRead.Object(containers?[container], "resources");
                var request = JsonRead.String(JsonRead.Object(resources, "requests"), name);
                var limit = JsonRead.String(JsonRead.Object(resources, "limits"), name);
                if (request is not null && (limit is null || Amount(request) != Amount(limit)))
                {
                    return $"/spec/containers/{container}/resources requests {request} {name} but limits {limit ?? "none"}; extended resources need them equal";
                }
            }

            return null;
        }

        private string? Requirements(JsonArray? terms)
        {
            foreach (var (term, index) in _requirements)
            {
                var expressions = JsonRead.Array(terms?[term], "matchExpressions");
                if (expressions?[index] is not JsonObject added)
                {
                    continue;
                }

                for (var i = 0; i < expressions.Count; i++)
                {
                    if (i != index && expressions[i] is JsonObject other && SameRequirement(added, other))
                    {
                        return $"node affinity term {term} would hold the same requirement twice";
                    }
                }
            }

            return null;
        }

        /// <summary>A quantity's amount; a text that is no quantity compares unequal to everything.</summary>
        private static decimal? Amount(string quantity)
        {
            try
            {
                return new k8s.Models.ResourceQuantity(quantity).ToDecimal();
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                return null;
            }
        }

        private static bool SameRequirement(JsonObject a, JsonObject b) =>
            JsonRead.String(a, "key") == JsonRead.String(b, "key")
            && JsonRead.String(a, "operator") == JsonRead.String(b, "operator")
            && Values(a).SetEquals(Values(b));

        private static HashSet<string> Values(JsonObject requirement) =>
            new((requirement["values"] as JsonArray ?? []).Select(v => v is JsonValue s && s.TryGetValue<string>(out var text) ? text : string.Empty), StringComparer.Ordinal);

        private static string? Index(string segment, out int index) =>
            int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out index) ? null : $"\"{segment}\" is not an index";

        private static string? Add(List<int> list, string segment)
        {
            if (Index(segment, out var index) is { } problem)
            {
                return problem;
            }

            list.Add(index);
            return null;
        }

        private static string? Add<T>(List<T> list, T item)
        {
            list.Add(item);
            return null;
        }
    }
}

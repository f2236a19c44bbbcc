using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Webhook.Policy;

/// <summary>Walks a parsed policy document into <see cref="GpuPolicy"/>, collecting every error with its path
/// instead of stopping at the first. Omitted or null fields take their documented defaults.</summary>
internal sealed class PolicyReader(List<PolicyError> errors)
{
    public const string ReservedProfileName = "default";

    private static readonly string[] TopKeys = ["version", "gpuResourceName", "gpuNodeLabel", "head", "gpuPods", "profiles", "rules", "ray", "customResources"];
    private static readonly string[] HeadKeys = ["avoidGpuNodes", "hideGpus", "annotations"];
    private static readonly string[] GpuPodKeys = ["tolerations", "nodeSelector"];
    private static readonly string[] ProfileKeys = ["gpus", "enforce", "nodeSelector", "tolerations", "nodeAffinity", "namespaces"];
    private static readonly string[] RayKeys = ["numGpus"];
    private static readonly string[] CustomResourceKeys = ["updateExisting"];
    private static readonly string[] NumGpusValues = ["fix", "warn"];
    private static readonly string[] RuleKeys = ["profile", "namespaces", "clusters", "groups"];
    private static readonly string[] TolerationKeys = ["key", "operator", "value", "effect", "tolerationSeconds"];
    private static readonly string[] RequirementKeys = ["key", "operator", "values"];
    private static readonly string[] TolerationOperators = ["Exists", "Equal"];
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
    private static readonly string[] SelectorOperators = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];

    public GpuPolicy ReadPolicy(YamlNode root)
    {
        var map = Mapping(root, string.Empty, TopKeys);
        if (map is null)
        {
            return GpuPolicy.Default;
        }

        var version = String(map, "version", string.Empty);
        if (version is null)
        {
            Error("version", "is required; this format is 'version: v1'");
        }
        else if (version != "v1")
        {
            Error("version", $"\"{version}\" is not supported; this webhook reads 'version: v1'");
        }

        var resource = String(map, "gpuResourceName", string.Empty) ?? GpuPolicy.DefaultGpuResourceName;
        if (KubernetesNames.CheckExtendedResourceName(resource) is { } resourceError)
        {
            Error("gpuResourceName", $"\"{resource}\" {resourceError}");
        }

        var nodeLabel = String(map, "gpuNodeLabel", string.Empty) ?? GpuPolicy.DefaultGpuNodeLabel;
        CheckLabelKey("gpuNodeLabel", nodeLabel);

        var profiles = ReadProfiles(Child(map, "profiles"));
        return new GpuPolicy(
            resource,
            nodeLabel,
            ReadHead(Child(map, "head")),
            ReadGpuPods(Child(map, "gpuPods")),
            profiles,
            ReadRules(Child(map, "rules"), profiles),
            ReadRay(Child(map, "ray")))
        {
            CustomResources = ReadCustomResources(Child(map, "customResources")),
        };
    }

    private CustomResourcePolicy ReadCustomResources(YamlNode? node)
    {
        var map = node is null ? null : Mapping(node, "customResources", CustomResourceKeys);
        return map is null
            ? CustomResourcePolicy.Default
            : new CustomResourcePolicy(Bool(map, "updateExisting", "customResources") ?? CustomResourcePolicy.Default.UpdateExisting);
    }

    private RayPolicy ReadRay(YamlNode? node)
    {
        var map = node is null ? null : Mapping(node, "ray", RayKeys);
        if (map is null)
        {
            return RayPolicy.Default;
        }

        return String(map, "numGpus", "ray") switch
        {
            null or "fix" => RayPolicy.Default,
            "warn" => new RayPolicy(NumGpusAction.Warn),
            var other => Invalid(other),
        };

        RayPolicy Invalid(string value)
        {
            Error("ray.numGpus", $"\"{value}\" is not allowed; use {string.Join(" or ", NumGpusValues)} (default fix)");
            return RayPolicy.Default;
        }
    }

    private HeadPolicy ReadHead(YamlNode? node)
    {
        var map = node is null ? null : Mapping(node, "head", HeadKeys);
        if (map is null)
        {
            return HeadPolicy.Default;
        }

        return new HeadPolicy(
            Bool(map, "avoidGpuNodes", "head") ?? HeadPolicy.Default.AvoidGpuNodes,
            Bool(map, "hideGpus", "head") ?? HeadPolicy.Default.HideGpus,
            StringMap(Child(map, "annotations"), "head.annotations", checkValues: false));
    }

    private GpuPodPolicy ReadGpuPods(YamlNode? node)
    {
        var map = node is null ? null : Mapping(node, "gpuPods", GpuPodKeys);
        if (map is null)
        {
            return GpuPodPolicy.Default;
        }

        var tolerations = Child(map, "tolerations");
        return new GpuPodPolicy(
            tolerations is null ? GpuPodPolicy.Default.Tolerations : Tolerations(tolerations, "gpuPods.tolerations"),
            StringMap(Child(map, "nodeSelector"), "gpuPods.nodeSelector", checkValues: true));
    }

    private Dictionary<string, GpuProfile> ReadProfiles(YamlNode? node)
    {
        var profiles = new Dictionary<string, GpuProfile>(StringComparer.Ordinal);
        if (node is null)
        {
            return profiles;
        }

        if (node is not YamlMappingNode map)
        {
            Error("profiles", "must be a map of profile name to profile");
            return profiles;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            var path = $"profiles.{name}";
            if (name == ReservedProfileName)
            {
                Error(path, "'default' is reserved (pods changed without a profile are annotated raygpu.io/policy: default); choose another name");
            }
            else if (name.Length == 0)
            {
                Error(path, "profile name must not be empty");
            }
            else if (KubernetesNames.CheckLabelValue(name) is { } nameError)
            {
                Error(path, $"profile name {nameError}");
            }

            if (ReadProfile(name, value, path) is { } profile)
            {
                profiles[name] = profile;
            }
        }

        return profiles;
    }

    private GpuProfile? ReadProfile(string name, YamlNode node, string path)
    {
        if (PolicyLoader.IsNull(node))
        {
            Error(path, "profile is empty; give it gpus, nodeSelector, tolerations or nodeAffinity");
            return null;
        }

        var map = Mapping(node, path, ProfileKeys);
        if (map is null)
        {
            return null;
        }

        var gpus = Int(map, "gpus", path);
        if (gpus is < 1)
        {
            Error($"{path}.gpus", $"{gpus} is not a GPU count; use 1 or more (omit gpus to keep the pod's own count)");
        }

        var enforce = Bool(map, "enforce", path) ?? false;
        if (enforce && gpus is null)
        {
            Error($"{path}.enforce", "has nothing to enforce without gpus; set gpus or remove enforce");
        }

        var profile = new GpuProfile(
            name,
            gpus,
            enforce,
            StringMap(Child(map, "nodeSelector"), $"{path}.nodeSelector", checkValues: true),
            Child(map, "tolerations") is { } t ? Tolerations(t, $"{path}.tolerations") : [],
            Child(map, "nodeAffinity") is { } a ? Requirements(a, $"{path}.nodeAffinity") : [],
            Globs(map, "namespaces", path));

        if (profile.Gpus is null && profile.NodeSelector.Count == 0 && profile.Tolerations.Count == 0 && profile.NodeAffinity.Count == 0)
        {
            Error(path, "profile is empty; give it gpus, nodeSelector, tolerations or nodeAffinity");
        }

        return profile;
    }

    private List<ProfileRule> ReadRules(YamlNode? node, Dictionary<string, GpuProfile> profiles)
    {
        var rules = new List<ProfileRule>();
        if (node is null)
        {
            return rules;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error("rules", "must be a list of rules like {profile: a10g, groups: [\"gpu-*\"]}");
            return rules;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"rules[{i}]";
            var map = Mapping(sequence.Children[i], path, RuleKeys);
            if (map is null)
            {
                continue;
            }

            var profile = String(map, "profile", path);
            if (profile is null)
            {
                Error($"{path}.profile", "is required: the name of the profile this rule selects");
                continue;
            }

            if (!profiles.ContainsKey(profile))
            {
                Error($"{path}.profile", $"names profile \"{profile}\", which is not defined; {KnownProfiles(profiles.Keys)}");
            }

            rules.Add(new ProfileRule(
                profile,
                Globs(map, "namespaces", path),
                Globs(map, "clusters", path),
                Globs(map, "groups", path)));
        }

        return rules;
    }

    public static string KnownProfiles(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "no profiles are defined" : $"known profiles: {string.Join(", ", list)}";
    }

    private List<string>? Globs(YamlMappingNode map, string key, string parent)
    {
        var node = Child(map, key);
        if (node is null)
        {
            return null;
        }

        var path = $"{parent}.{key}";
        var values = StringList(node, path);
        if (values is { Count: 0 })
        {
            Error(path, "an empty list matches nothing; omit the field to match any value");
        }

        return values;
    }

    private List<Toleration> Tolerations(YamlNode node, string path)
    {
        var result = new List<Toleration>();
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, "must be a list of tolerations");
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var map = Mapping(sequence.Children[i], itemPath, TolerationKeys);
            if (map is null)
            {
                continue;
            }

            var key = String(map, "key", itemPath);
            var op = String(map, "operator", itemPath) ?? "Equal";
            var value = String(map, "value", itemPath);
            var effect = String(map, "effect", itemPath);
            var seconds = Int(map, "tolerationSeconds", itemPath);

            if (!TolerationOperators.Contains(op))
            {
                Error($"{itemPath}.operator", $"\"{op}\" is not a toleration operator; use Exists or Equal");
            }

            if (!string.IsNullOrEmpty(key))
            {
                CheckLabelKey($"{itemPath}.key", key);
            }
            else if (op != "Exists")
            {
                Error($"{itemPath}.key", "may only be empty with operator Exists (which then tolerates every taint)");
            }

            if (op == "Exists" && !string.IsNullOrEmpty(value))
            {
                Error($"{itemPath}.value", "must be empty when operator is Exists");
            }
            else if (value is not null && KubernetesNames.CheckLabelValue(value) is { } valueError)
            {
                Error($"{itemPath}.value", $"\"{value}\" {valueError}");
            }

            if (effect is not null && !TaintEffects.Contains(effect))
            {
                Error($"{itemPath}.effect", $"\"{effect}\" is not a taint effect; use NoSchedule, PreferNoSchedule or NoExecute (omit it to match all)");
            }

            if (seconds is not null && effect != "NoExecute")
            {
                Error($"{itemPath}.tolerationSeconds", "only applies with effect NoExecute");
            }

            result.Add(new Toleration(key, op, value, effect, seconds));
        }

        var seen = new Dictionary<TolerationIdentity, int>();
        for (var i = 0; i < result.Count; i++)
        {
            if (!seen.TryAdd(result[i].Identity, i))
            {
                Error($"{path}[{i}]", $"repeats {path}[{seen[result[i].Identity]}] (same key, operator, value and effect)");
            }
        }

        return result;
    }

    private List<NodeSelectorRequirement> Requirements(YamlNode node, string path)
    {
        var result = new List<NodeSelectorRequirement>();
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, "must be a list of node selector requirements like {key: k, operator: In, values: [v]}");
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var map = Mapping(sequence.Children[i], itemPath, RequirementKeys);
            if (map is null)
            {
                continue;
            }

            var key = String(map, "key", itemPath);
            if (key is null)
            {
                Error($"{itemPath}.key", "is required");
            }
            else
            {
                CheckLabelKey($"{itemPath}.key", key);
            }

            var op = String(map, "operator", itemPath);
            var values = Child(map, "values") is { } v ? StringList(v, $"{itemPath}.values") ?? [] : [];
            if (op is null || !SelectorOperators.Contains(op))
            {
                Error($"{itemPath}.operator", $"{(op is null ? "is required" : $"\"{op}\" is not valid")}; use In, NotIn, Exists, DoesNotExist, Gt or Lt");
            }
            else if (op is "In" or "NotIn" && values.Count == 0)
            {
                Error($"{itemPath}.values", $"must list at least one value for operator {op}");
            }
            else if (op is "Exists" or "DoesNotExist" && values.Count > 0)
            {
                Error($"{itemPath}.values", $"must be empty for operator {op}");
            }
            else if (op is "Gt" or "Lt" && (values.Count != 1 || !long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            {
                Error($"{itemPath}.values", $"must be exactly one integer for operator {op}");
            }
            else if (op is "In" or "NotIn")
            {
                for (var j = 0; j < values.Count; j++)
                {
                    if (KubernetesNames.CheckLabelValue(values[j]) is { } valueError)
                    {
                        Error($"{itemPath}.values[{j}]", $"\"{values[j]}\" {valueError}");
                    }
                }
            }

            if (key is not null && op is not null)
            {
                result.Add(new NodeSelectorRequirement(key, op, values));
            }
        }

        return result;
    }

    private Dictionary<string, string> StringMap(YamlNode? node, string path, bool checkValues)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        if (node is not YamlMappingNode map)
        {
            Error(path, "must be a map of string keys to string values");
            return result;
        }

        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            var itemPath = $"{path}.{key}";
            CheckLabelKey(itemPath, key);
            if (valueNode is not YamlScalarNode scalar)
            {
                Error(itemPath, "must be a string value");
                continue;
            }

            var value = scalar.Value ?? string.Empty;
            if (checkValues && KubernetesNames.CheckLabelValue(value) is { } valueError)
            {
                Error(itemPath, $"\"{value}\" {valueError}");
            }

            result[key] = value;
        }

        return result;
    }

    private List<string>? StringList(YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(path, "must be a list of strings");
            return null;
        }

        var result = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlScalarNode { Value: { Length: > 0 } s })
            {
                result.Add(s);
            }
            else
            {
                Error($"{path}[{i}]", "must be a non-empty string");
            }
        }

        return result;
    }

    private void CheckLabelKey(string path, string key)
    {
        if (KubernetesNames.CheckQualifiedName(key) is { } error)
        {
            Error(path, $"\"{key}\" is not a valid label key: {error}");
        }
    }

    private YamlMappingNode? Mapping(YamlNode node, string path, string[] allowedKeys)
    {
        if (node is not YamlMappingNode map)
        {
            Error(path, PolicyLoader.IsNull(node) ? "must not be empty" : "must be a map of keys to values");
            return null;
        }

        foreach (var keyNode in map.Children.Keys)
        {
            var key = keyNode is YamlScalarNode s ? s.Value ?? string.Empty : keyNode.ToString();
            if (!allowedKeys.Contains(key))
            {
                Error(Join(path, key), $"unknown key; known keys here: {string.Join(", ", allowedKeys)}");
            }
        }

        return map;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && !PolicyLoader.IsNull(node) ? node : null;

    private string? String(YamlMappingNode map, string key, string parent)
    {
        var node = Child(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value;
        }

        Error(Join(parent, key), "must be a string");
        return null;
    }

    private bool? Bool(YamlMappingNode map, string key, string parent)
    {
        var node = Child(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Style: ScalarStyle.Plain } scalar && bool.TryParse(scalar.Value, out var value))
        {
            return value;
        }

        Error(Join(parent, key), "must be true or false");
        return null;
    }

    private int? Int(YamlMappingNode map, string key, string parent)
    {
        var node = Child(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Style: ScalarStyle.Plain } scalar
            && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(Join(parent, key), "must be a whole number");
        return null;
    }

    private static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    private void Error(string path, string message) => errors.Add(new PolicyError(path, message));
}

using System.Globalization;
using System.Text.Json;

namespace Platform.Webhook.Mutation;

/// <summary>Finds the groups of a RayCluster spec in a RayCluster, RayJob or RayService as the API server sends
/// it, and says what is wrong when the shape is not one KubeRay could build pods from.</summary>
internal static class RayGroupReader
{
    /// <summary>The groups of <paramref name="resource"/>, or the reason none can be mutated. An empty list with
    /// no problem means there is nothing to mutate (a RayJob that runs on an existing cluster).</summary>
    public static IReadOnlyList<RayGroup> Read(string kind, JsonElement resource, out string? problem)
    {
        problem = null;
        var specPointer = RayResourceKind.ClusterSpecPointer(kind);
        if (specPointer is null || resource.ValueKind != JsonValueKind.Object)
        {
            problem = "the object is not a Ray custom resource";
            return [];
        }

        var spec = Child(resource, "spec");
        var clusterSpec = kind switch
        {
            RayResourceKind.RayJob => Child(spec, "rayClusterSpec"),
            RayResourceKind.RayService => Child(spec, "rayClusterConfig"),
            _ => spec,
        };
        if (clusterSpec.ValueKind != JsonValueKind.Object)
        {
            // A RayJob with a clusterSelector submits to a running cluster: KubeRay creates no pods for it.
            if (kind == RayResourceKind.RayJob && Child(spec, "clusterSelector") is { ValueKind: JsonValueKind.Object } selector && selector.EnumerateObject().Any())
            {
                return [];
            }

            problem = $"{specPointer} is missing or not an object";
            return [];
        }

        var groups = new List<RayGroup>();
        var head = Child(clusterSpec, "headGroupSpec");
        if (head.ValueKind != JsonValueKind.Undefined && !TryAdd(groups, head, isHead: true, RayLabels.HeadGroup, specPointer + "/headGroupSpec", out problem))
        {
            return [];
        }

        var workers = Child(clusterSpec, "workerGroupSpecs");
        if (workers.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var worker in workers.EnumerateArray())
            {
                var location = specPointer + "/workerGroupSpecs/" + index.ToString(CultureInfo.InvariantCulture);
                index++;
                var name = Child(worker, "groupName");
                if (name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } groupName)
                {
                    problem = $"{location}/groupName is missing";
                    return [];
                }

                if (!TryAdd(groups, worker, isHead: false, groupName, location, out problem))
                {
                    return [];
                }
            }
        }
        else if (workers.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            problem = $"{specPointer}/workerGroupSpecs is not a list";
            return [];
        }

        if (groups.Count == 0)
        {
            problem = $"{specPointer} has no head group and no worker groups";
        }

        return groups;
    }

    /// <summary>The groups of the object before an UPDATE, by head/worker and name; a group the old object
    /// holds in a shape that cannot be read counts as absent (the new one is then mutated as new).</summary>
    public static Dictionary<(bool IsHead, string Name), RayGroup> ReadOld(string kind, JsonElement oldResource)
    {
        var old = new Dictionary<(bool IsHead, string Name), RayGroup>();
        if (oldResource.ValueKind != JsonValueKind.Object)
        {
            return old;
        }

        foreach (var group in Read(kind, oldResource, out _))
        {
            old.TryAdd(group.Key, group);
        }

        return old;
    }

    private static bool TryAdd(List<RayGroup> groups, JsonElement group, bool isHead, string name, string location, out string? problem)
    {
        problem = null;
        if (group.ValueKind != JsonValueKind.Object)
        {
            problem = $"{location} is not an object";
            return false;
        }

        var template = Child(group, "template");
        if (template.ValueKind != JsonValueKind.Object)
        {
            problem = $"{location}/template is missing or not an object";
            return false;
        }

        var containers = Child(Child(template, "spec"), "containers");
        if (containers.ValueKind != JsonValueKind.Array || containers.GetArrayLength() == 0 || containers[0].ValueKind != JsonValueKind.Object)
        {
            problem = $"{location}/template has no containers";
            return false;
        }

        groups.Add(new RayGroup(isHead, name, location, group, template));
        return true;
    }

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) ? child : default;
}

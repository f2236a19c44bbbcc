using System.Text.Json.Nodes;

namespace Platform.Sandbox.Kubernetes;

/// <summary>The two patch kinds the fake API server applies: JSON merge patch and strategic merge patch.</summary>
internal static class JsonMerge
{
    /// <summary>RFC 7386: objects merge, null deletes, anything else (lists included) replaces.</summary>
    public static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    /// <summary>
    /// Kubernetes' strategic merge patch for the lists this fake serves: a list named in <paramref name="mergeKeys"/>
    /// merges its items by that key (a pod's <c>status.conditions</c> by <c>type</c>, so writing one condition keeps the
    /// kubelet's); every other list replaces; directives (<c>$setElementOrder/...</c>, <c>$patch</c>) are not applied.
    /// </summary>
    /// <exception cref="FormatException">An item of a keyed list is not an object with its key.</exception>
    public static void StrategicMerge(JsonObject target, JsonObject patch, IReadOnlyDictionary<string, string> mergeKeys)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                StrategicMerge(targetObject, patchObject, mergeKeys);
            }
            else if (value is JsonArray items && mergeKeys.TryGetValue(key, out var mergeKey))
            {
                var list = target[key] as JsonArray ?? [];
                target[key] = list;
                foreach (var item in items)
                {
                    var name = (item as JsonObject)?[mergeKey]?.GetValue<string>()
                        ?? throw new FormatException($"every item of {key} needs its merge key {mergeKey}");
                    var existing = list.OfType<JsonObject>().FirstOrDefault(i => i[mergeKey]?.GetValue<string>() == name);
                    if (existing is null)
                    {
                        list.Add(item!.DeepClone());
                    }
                    else
                    {
                        StrategicMerge(existing, (JsonObject)item!, mergeKeys);
                    }
                }
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}

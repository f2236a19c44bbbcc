using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>Pod-spec details of KubeRay pods: the metrics port, emptyDir volumes, quantities as strings.</summary>
internal static class KubeRayPodSpec
{
    public static void AddMetricsPort(JsonObject ray)
    {
        if (ray["ports"] is not JsonArray ports)
        {
            ports = [];
            ray["ports"] = ports;
        }

        if (!ports.OfType<JsonObject>().Any(p => JsonText.Text(p["name"]) == "metrics"))
        {
            ports.Add((JsonNode)new JsonObject { ["name"] = "metrics", ["containerPort"] = KubeRayConventions.DefaultMetricsPort });
        }
    }

    public static void AddEmptyDir(JsonObject podSpec, JsonObject container, string volumeName, string mountPath, bool memoryMedium)
    {
        if (container["volumeMounts"] is JsonArray mounts && mounts.OfType<JsonObject>().Any(m => JsonText.Text(m["mountPath"]) == mountPath))
        {
            return;
        }

        if (podSpec["volumes"] is not JsonArray volumes)
        {
            volumes = [];
            podSpec["volumes"] = volumes;
        }

        if (!volumes.OfType<JsonObject>().Any(v => JsonText.Text(v["name"]) == volumeName))
        {
            var emptyDir = new JsonObject();
            if (memoryMedium)
            {
                emptyDir["medium"] = "Memory";
                var resources = container["resources"] as JsonObject;
                if ((resources?["limits"]?["memory"] ?? resources?["requests"]?["memory"]) is { } size)
                {
                    emptyDir["sizeLimit"] = RayStartCommandBuilder.ScalarText(size);
                }
            }

            volumes.Add((JsonNode)new JsonObject { ["name"] = volumeName, ["emptyDir"] = emptyDir });
        }

        if (container["volumeMounts"] is not JsonArray containerMounts)
        {
            containerMounts = [];
            container["volumeMounts"] = containerMounts;
        }

        containerMounts.Add((JsonNode)new JsonObject { ["mountPath"] = mountPath, ["name"] = volumeName });
    }

    /// <summary>
    /// KubeRay builds pods through Go structs, so the API server (and the webhook) sees every quantity as a string
    /// ("1", not 1), whatever the manifest author wrote.
    /// </summary>
    public static void NormalizeQuantities(JsonObject podSpec)
    {
        foreach (var list in new[] { podSpec["containers"], podSpec["initContainers"] })
        {
            foreach (var container in (list as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var section in new[] { "limits", "requests" })
                {
                    if (container["resources"]?[section] is JsonObject quantities)
                    {
                        foreach (var name in quantities.Select(p => p.Key).ToList())
                        {
                            if (quantities[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
                            {
                                quantities[name] = value.ToJsonString();
                            }
                        }
                    }
                }
            }
        }
    }
}

using System.Text;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>The containers KubeRay adds or rewrites: the Ray container's command and env, wait-gcs-ready, the autoscaler.</summary>
internal static class KubeRayContainers
{
    public static void AddWaitGcsReadyInitContainer(JsonObject podSpec, JsonObject ray, RayClusterContext cluster)
    {
        var init = new JsonObject
        {
            ["name"] = KubeRayConventions.WaitGcsReadyContainer,
            ["image"] = ray["image"]?.DeepClone(),
        };
        if (ray["imagePullPolicy"] is { } pullPolicy)
        {
            init["imagePullPolicy"] = pullPolicy.DeepClone();
        }

        init["command"] = new JsonArray([.. KubeRayConventions.ContainerCommand.Select(c => (JsonNode?)JsonValue.Create(c))]);
        init["args"] = new JsonArray(JsonValue.Create(
            $"until ray health-check --address {cluster.HeadFqdn}:{cluster.HeadPort} > /dev/null 2>&1; do echo \"Waiting for GCS to be ready.\"; sleep 5; done"));
        init["resources"] = new JsonObject
        {
            ["limits"] = new JsonObject { ["cpu"] = "200m", ["memory"] = "256Mi" },
            ["requests"] = new JsonObject { ["cpu"] = "200m", ["memory"] = "256Mi" },
        };
        foreach (var copied in new[] { "securityContext", "env", "volumeMounts" })
        {
            if (ray[copied] is { } value)
            {
                init[copied] = value.DeepClone();
            }
        }

        if (podSpec["initContainers"] is not JsonArray inits)
        {
            inits = [];
            podSpec["initContainers"] = inits;
        }

        inits.Add((JsonNode)init);
    }

    public static JsonObject BuildAutoscalerContainer(string? image, JsonObject? options)
    {
        const string start = "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)";
        var env = new JsonArray(
            FieldRefEnv("RAY_CLUSTER_NAME", $"metadata.labels['{KubeRayConventions.ClusterLabel}']"),
            FieldRefEnv("RAY_CLUSTER_NAMESPACE", "metadata.namespace"),
            FieldRefEnv("RAY_HEAD_POD_NAME", "metadata.name"),
            EnvVar("KUBERAY_CRD_VER", "v1"),
            EnvVar("KUBERAY_GEN_AUTOSCALER_START_CMD", start));
        var container = new JsonObject
        {
            ["name"] = KubeRayConventions.AutoscalerContainer,
            ["image"] = image,
            ["imagePullPolicy"] = "IfNotPresent",
            ["env"] = env,
            ["command"] = new JsonArray([.. KubeRayConventions.ContainerCommand.Select(c => (JsonNode?)JsonValue.Create(c))]),
            ["args"] = new JsonArray(JsonValue.Create(start)),
            ["resources"] = new JsonObject
            {
                ["limits"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "512Mi" },
                ["requests"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "512Mi" },
            },
        };

        if (options is null)
        {
            return container;
        }

        foreach (var replaced in new[] { "resources", "image", "imagePullPolicy", "securityContext", "command", "args" })
        {
            if (options[replaced] is { } value && value is not JsonArray { Count: 0 })
            {
                container[replaced] = value.DeepClone();
            }
        }

        foreach (var appended in new[] { "env", "envFrom", "volumeMounts" })
        {
            if (options[appended] is JsonArray extra)
            {
                var target = container[appended] as JsonArray ?? [];
                container[appended] = target;
                foreach (var item in extra)
                {
                    target.Add(item?.DeepClone());
                }
            }
        }

        return container;
    }

    public static void SetRayContainerCommand(JsonObject ray, string rayStart, JsonObject podAnnotations)
    {
        var existing = new StringBuilder();
        foreach (var part in new[] { ray["command"], ray["args"] })
        {
            if (part is JsonArray array)
            {
                foreach (var item in array)
                {
                    existing.Append(' ').Append(RayStartCommandBuilder.ScalarText(item)).Append(' ');
                }
            }
        }

        var cmd = existing.ToString();
        if (JsonText.IsTrue(podAnnotations[KubeRayConventions.OverwriteContainerCommandAnnotation]) || cmd.Contains("ray start", StringComparison.Ordinal))
        {
            return;
        }

        var generated = $"{KubeRayConventions.UlimitCommand}; {rayStart}";
        ray["command"] = new JsonArray([.. KubeRayConventions.ContainerCommand.Select(c => (JsonNode?)JsonValue.Create(c))]);
        ray["args"] = new JsonArray(JsonValue.Create(cmd.Length > 0 ? $"{cmd} && {generated}" : generated));
    }

    public static void SetRayContainerEnv(JsonObject ray, RayClusterContext cluster, bool isHead, string rayStart)
    {
        var env = EnvOf(ray);
        var ip = isHead ? KubeRayConventions.LocalHost : cluster.HeadFqdn;
        if (!isHead)
        {
            env.Add(EnvVar("FQ_RAY_IP", cluster.HeadFqdn));
            env.Add(EnvVar("RAY_IP", cluster.HeadServiceName));
        }

        env.Add(FieldRefEnv("RAY_CLUSTER_NAME", $"metadata.labels['{KubeRayConventions.ClusterLabel}']"));
        env.Add(FieldRefEnv("RAY_CLUSTER_NAMESPACE", "metadata.namespace"));
        env.Add(FieldRefEnv("RAY_CLOUD_INSTANCE_ID", "metadata.name"));
        env.Add(FieldRefEnv("RAY_NODE_TYPE_NAME", $"metadata.labels['{KubeRayConventions.GroupLabel}']"));
        env.Add(EnvVar("KUBERAY_GEN_RAY_START_CMD", rayStart));
        AddIfMissing(env, "RAY_PORT", cluster.HeadPort);
        if (cluster.Kind == "RayService")
        {
            AddIfMissing(env, "RAY_timeout_ms_task_wait_for_death_info", "0");
            AddIfMissing(env, "RAY_gcs_server_request_timeout_seconds", "5");
            AddIfMissing(env, "RAY_SERVE_KV_TIMEOUT_S", "5");
        }

        AddIfMissing(env, "RAY_ADDRESS", $"{ip}:{cluster.HeadPort}");
        AddIfMissing(env, "RAY_USAGE_STATS_KUBERAY_IN_USE", "1");
        if (isHead)
        {
            env.Add(EnvVar("RAY_USAGE_STATS_EXTRA_TAGS", $"kuberay_version={KubeRayConventions.Version};kuberay_crd={cluster.Kind}"));
        }

        AddIfMissing(env, "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "1");
    }

    public static JsonArray EnvOf(JsonObject container)
    {
        if (container["env"] is not JsonArray env)
        {
            env = [];
            container["env"] = env;
        }

        return env;
    }

    private static void AddIfMissing(JsonArray env, string name, string value)
    {
        if (!env.OfType<JsonObject>().Any(e => JsonText.Text(e["name"]) == name))
        {
            env.Add(EnvVar(name, value));
        }
    }

    public static JsonNode EnvVar(string name, string value) => new JsonObject { ["name"] = name, ["value"] = value };

    private static JsonNode FieldRefEnv(string name, string fieldPath) =>
        new JsonObject { ["name"] = name, ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = fieldPath } } };
}

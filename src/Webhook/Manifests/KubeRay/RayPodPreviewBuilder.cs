using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Manifests.KubeRay;

/// <summary>
/// Builds, for a RayCluster, RayJob or RayService, the pod of every group as KubeRay v1.7.0 creates it
/// (common/pod.go DefaultHeadPodTemplate / DefaultWorkerPodTemplate / BuildPod): KubeRay's labels, generateName,
/// the <c>ray start</c> command in args[0] and <c>KUBERAY_GEN_RAY_START_CMD</c>, KubeRay's env, the
/// <c>wait-gcs-ready</c> init container, <c>/dev/shm</c>, the metrics port and the autoscaler sidecar.
/// Not reproduced (they do not affect GPU scheduling): liveness/readiness probes, owner references, TLS and token
/// auth wiring, GCS fault-tolerance env, history-server collector, operator-wide default envs/labels/sidecars.
/// </summary>
internal static class RayPodPreviewBuilder
{
    private const string KubernetesNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static bool IsRayResource(string? apiVersion, string? kind) =>
        apiVersion is not null && apiVersion.StartsWith("ray.io/", StringComparison.Ordinal)
        && kind is "RayCluster" or "RayJob" or "RayService";

    /// <exception cref="InvalidDataException">The resource lacks what KubeRay needs; the message names the field.</exception>
    public static IReadOnlyList<RayPodPreview> Build(JsonObject resource, string defaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var kind = Text(resource["kind"]) ?? string.Empty;
        var metadata = resource["metadata"] as JsonObject;
        var name = Text(metadata?["name"]);
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidDataException("metadata.name: a " + kind + " needs a name (KubeRay derives pod names and the ray.io/cluster label from it)");
        }

        var ns = Text(metadata?["namespace"]) is { Length: > 0 } n ? n : defaultNamespace;
        var annotations = metadata?["annotations"] as JsonObject;
        var spec = resource["spec"] as JsonObject;

        (JsonObject? clusterSpec, string specPath, string clusterName) = kind switch
        {
            "RayCluster" => (spec, "spec", name),
            "RayJob" => (spec?["rayClusterSpec"] as JsonObject, "spec.rayClusterSpec", GeneratedClusterName(name)),
            "RayService" => (spec?["rayClusterConfig"] as JsonObject, "spec.rayClusterConfig", GeneratedClusterName(name)),
            _ => throw new InvalidDataException($"kind: {kind} is not a KubeRay resource (RayCluster, RayJob, RayService)"),
        };

        if (kind == "RayJob" && clusterSpec is null && spec?["clusterSelector"] is JsonObject { Count: > 0 })
        {
            // The job runs on an existing cluster: KubeRay creates no Ray pods for it.
            return [];
        }

        if (clusterSpec is null)
        {
            throw new InvalidDataException($"{specPath}: missing; a {kind} needs a RayCluster spec with headGroupSpec");
        }

        var context = new ClusterContext(kind, clusterName, ns, clusterSpec, annotations);
        var previews = new List<RayPodPreview>();
        var head = clusterSpec["headGroupSpec"] as JsonObject
            ?? throw new InvalidDataException($"{specPath}.headGroupSpec: missing; every Ray cluster has a head group");
        previews.Add(BuildGroupPod(context, head, $"{specPath}.headGroupSpec", isHead: true));

        if (clusterSpec["workerGroupSpecs"] is JsonArray workers)
        {
            for (var i = 0; i < workers.Count; i++)
            {
                var path = $"{specPath}.workerGroupSpecs[{i}]";
                var worker = workers[i] as JsonObject ?? throw new InvalidDataException($"{path}: must be an object");
                previews.Add(BuildGroupPod(context, worker, path, isHead: false));
            }
        }

        return previews;
    }

    /// <summary>
    /// RayJob and RayService clusters are named <c>&lt;name&gt;-&lt;5 random characters&gt;</c>; the preview derives the
    /// five characters from the name so the output is stable from run to run.
    /// </summary>
    internal static string GeneratedClusterName(string ownerName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(ownerName));
        var suffix = new char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = KubernetesNameAlphabet[hash[i] % KubernetesNameAlphabet.Length];
        }

        return $"{ownerName}-{new string(suffix)}";
    }

    private static RayPodPreview BuildGroupPod(ClusterContext cluster, JsonObject group, string path, bool isHead)
    {
        var groupName = isHead ? KubeRayConventions.HeadGroupName : Text(group["groupName"]);
        if (string.IsNullOrEmpty(groupName))
        {
            throw new InvalidDataException($"{path}.groupName: missing; every worker group needs a name (it becomes the ray.io/group label)");
        }

        var template = group["template"] as JsonObject ?? throw new InvalidDataException($"{path}.template: missing; the group's pod template is required");
        var templateSpec = template["spec"]?.DeepClone() as JsonObject ?? throw new InvalidDataException($"{path}.template.spec: missing");
        if (templateSpec["containers"] is not JsonArray { Count: > 0 } containers || containers[0] is not JsonObject ray)
        {
            throw new InvalidDataException($"{path}.template.spec.containers: needs at least one container (container 0 is the Ray container)");
        }

        var templateMetadata = template["metadata"] as JsonObject;
        var nodeType = isHead ? "head" : "worker";
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (group["rayStartParams"] is JsonObject startParams)
        {
            foreach (var (key, value) in startParams)
            {
                parameters[key] = RayStartCommandBuilder.ScalarText(value);
            }
        }

        // Worker init container: created from the Ray container as the template wrote it (before KubeRay's env).
        if (!isHead)
        {
            AddWaitGcsReadyInitContainer(templateSpec, ray, cluster);
        }

        RayStartCommandBuilder.ApplyGroupResources(parameters, group["resources"] as JsonObject);
        RayStartCommandBuilder.ApplyGroupLabels(parameters, group["labels"] as JsonObject);

        var labels = BuildLabels(templateMetadata?["labels"] as JsonObject, group["labels"] as JsonObject, cluster.Name, nodeType, groupName);
        if (!isHead)
        {
            labels[KubeRayConventions.WorkerReplicaIndexLabel] = "0";
        }

        if (cluster.Kind == "RayService")
        {
            // The serve label routes Serve traffic: workers on, head off until the RayService controller flips it.
            labels[KubeRayConventions.ServeLabel] = isHead ? "false" : "true";
        }

        RayStartCommandBuilder.SetMissing(parameters, isHead, $"{cluster.HeadFqdn}:{cluster.HeadPort}");

        var podAnnotations = templateMetadata?["annotations"]?.DeepClone() as JsonObject ?? [];
        if (IsTrue(cluster.Annotations?[KubeRayConventions.OverwriteContainerCommandAnnotation]))
        {
            podAnnotations[KubeRayConventions.OverwriteContainerCommandAnnotation] = "true";
        }

        if (isHead)
        {
            podAnnotations[KubeRayConventions.FaultToleranceAnnotation] = cluster.FaultToleranceEnabled ? "true" : "false";
        }

        if (isHead && cluster.AutoscalingEnabled)
        {
            parameters["no-monitor"] = "true";
            var serviceAccount = Text(templateSpec["serviceAccountName"]) is { Length: > 0 } sa ? sa : cluster.Name;
            templateSpec["serviceAccountName"] = serviceAccount;
            containers.Add((JsonNode)BuildAutoscalerContainer(Text(ray["image"]), cluster.Spec["autoscalerOptions"] as JsonObject));
        }

        AddMetricsPort(ray);
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = BuildMetadata(templateMetadata, cluster, nodeType, groupName, isHead, labels, podAnnotations),
            ["spec"] = templateSpec,
        };

        if (!parameters.ContainsKey("plasma-directory"))
        {
            AddEmptyDir(templateSpec, ray, KubeRayConventions.SharedMemoryVolume, KubeRayConventions.SharedMemoryPath, memoryMedium: true);
        }

        if (isHead && cluster.AutoscalingEnabled)
        {
            AddEmptyDir(templateSpec, ray, KubeRayConventions.LogVolume, KubeRayConventions.LogPath, memoryMedium: false);
            AddEmptyDir(templateSpec, (JsonObject)containers[^1]!, KubeRayConventions.LogVolume, KubeRayConventions.LogPath, memoryMedium: false);
        }

        var rayStart = RayStartCommandBuilder.Generate(parameters, isHead, ray["resources"] as JsonObject);
        SetRayContainerCommand(ray, rayStart, podAnnotations);

        if (templateSpec["initContainers"] is JsonArray initContainers)
        {
            foreach (var init in initContainers.OfType<JsonObject>())
            {
                var env = EnvOf(init);
                env.Add(EnvVar("FQ_RAY_IP", cluster.HeadFqdn));
                env.Add(EnvVar("RAY_IP", cluster.HeadServiceName));
            }
        }

        SetRayContainerEnv(ray, cluster, isHead, rayStart);
        NormalizeQuantities(templateSpec);
        return new RayPodPreview(cluster.Name, nodeType, groupName, cluster.Namespace, pod);
    }

    private static JsonObject BuildMetadata(JsonObject? templateMetadata, ClusterContext cluster, string nodeType, string groupName, bool isHead, JsonObject labels, JsonObject annotations)
    {
        // generateName as utils.PodName: prefix cut to 50 characters, lower-cased, "-head-" / "-worker-".
        var prefix = isHead ? cluster.Name : $"{cluster.Name}-{groupName}";
        if (prefix.Length > 50)
        {
            prefix = prefix[..50];
        }

        var metadata = new JsonObject();
        var templateName = Text(templateMetadata?["name"]);
        if (isHead && !string.IsNullOrEmpty(templateName))
        {
            metadata["name"] = templateName;
        }

        metadata["generateName"] = $"{prefix}-{nodeType}-".ToLowerInvariant();
        metadata["namespace"] = cluster.Namespace;
        metadata["labels"] = labels;
        if (annotations.Count > 0)
        {
            metadata["annotations"] = annotations;
        }

        if (templateMetadata is not null)
        {
            foreach (var (key, value) in templateMetadata)
            {
                if (key is not ("name" or "generateName" or "namespace" or "labels" or "annotations"))
                {
                    metadata[key] = value?.DeepClone();
                }
            }
        }

        return metadata;
    }

    private static JsonObject BuildLabels(JsonObject? templateLabels, JsonObject? groupLabels, string clusterName, string nodeType, string groupName)
    {
        var labels = new JsonObject
        {
            [KubeRayConventions.IsRayNodeLabel] = "yes",
            [KubeRayConventions.ClusterLabel] = clusterName,
            [KubeRayConventions.NodeTypeLabel] = nodeType,
            [KubeRayConventions.GroupLabel] = groupName,
            [KubeRayConventions.IdentifierLabel] = LabelValue($"{clusterName}-{nodeType}"),
            [KubeRayConventions.AppNameLabel] = KubeRayConventions.AppName,
            [KubeRayConventions.CreatedByLabel] = KubeRayConventions.CreatedBy,
        };

        foreach (var source in new[] { templateLabels, groupLabels })
        {
            if (source is null)
            {
                continue;
            }

            foreach (var (key, value) in source)
            {
                // KubeRay does not let users override these three: the webhook and Ray rely on them.
                if (key is KubeRayConventions.NodeTypeLabel or KubeRayConventions.GroupLabel or KubeRayConventions.ClusterLabel)
                {
                    continue;
                }

                labels[key] = RayStartCommandBuilder.ScalarText(value);
            }
        }

        return labels;
    }

    private static void AddWaitGcsReadyInitContainer(JsonObject podSpec, JsonObject ray, ClusterContext cluster)
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

    private static JsonObject BuildAutoscalerContainer(string? image, JsonObject? options)
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

    private static void AddMetricsPort(JsonObject ray)
    {
        if (ray["ports"] is not JsonArray ports)
        {
            ports = [];
            ray["ports"] = ports;
        }

        if (!ports.OfType<JsonObject>().Any(p => Text(p["name"]) == "metrics"))
        {
            ports.Add((JsonNode)new JsonObject { ["name"] = "metrics", ["containerPort"] = KubeRayConventions.DefaultMetricsPort });
        }
    }

    private static void AddEmptyDir(JsonObject podSpec, JsonObject container, string volumeName, string mountPath, bool memoryMedium)
    {
        if (container["volumeMounts"] is JsonArray mounts && mounts.OfType<JsonObject>().Any(m => Text(m["mountPath"]) == mountPath))
        {
            return;
        }

        if (podSpec["volumes"] is not JsonArray volumes)
        {
            volumes = [];
            podSpec["volumes"] = volumes;
        }

        if (!volumes.OfType<JsonObject>().Any(v => Text(v["name"]) == volumeName))
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

    private static void SetRayContainerCommand(JsonObject ray, string rayStart, JsonObject podAnnotations)
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
        if (IsTrue(podAnnotations[KubeRayConventions.OverwriteContainerCommandAnnotation]) || cmd.Contains("ray start", StringComparison.Ordinal))
        {
            return;
        }

        var generated = $"{KubeRayConventions.UlimitCommand}; {rayStart}";
        ray["command"] = new JsonArray([.. KubeRayConventions.ContainerCommand.Select(c => (JsonNode?)JsonValue.Create(c))]);
        ray["args"] = new JsonArray(JsonValue.Create(cmd.Length > 0 ? $"{cmd} && {generated}" : generated));
    }

    private static void SetRayContainerEnv(JsonObject ray, ClusterContext cluster, bool isHead, string rayStart)
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

    /// <summary>
    /// KubeRay builds pods through Go structs, so the API server (and the webhook) sees every quantity as a string
    /// ("1", not 1), whatever the manifest author wrote.
    /// </summary>
    private static void NormalizeQuantities(JsonObject podSpec)
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

    private static JsonArray EnvOf(JsonObject container)
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
        if (!env.OfType<JsonObject>().Any(e => Text(e["name"]) == name))
        {
            env.Add(EnvVar(name, value));
        }
    }

    private static JsonNode EnvVar(string name, string value) => new JsonObject { ["name"] = name, ["value"] = value };

    private static JsonNode FieldRefEnv(string name, string fieldPath) =>
        new JsonObject { ["name"] = name, ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = fieldPath } } };

    /// <summary>utils.CheckLabel: keep the last 63 characters, and no leading punctuation.</summary>
    private static string LabelValue(string value)
    {
        if (value.Length > 63)
        {
            value = value[^63..];
        }

        return value.Length > 0 && char.IsPunctuation(value[0]) ? "r" + value[1..] : value;
    }

    private static bool IsTrue(JsonNode? node) => string.Equals(RayStartCommandBuilder.ScalarText(node), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private sealed class ClusterContext
    {
        public ClusterContext(string kind, string name, string ns, JsonObject spec, JsonObject? annotations)
        {
            Kind = kind;
            Name = name;
            Namespace = ns;
            Spec = spec;
            Annotations = annotations;
            var head = spec["headGroupSpec"] as JsonObject;
            HeadPort = head?["rayStartParams"]?["port"] is { } port ? RayStartCommandBuilder.ScalarText(port) : KubeRayConventions.DefaultGcsPort;
            HeadServiceName = Text(head?["headService"]?["metadata"]?["name"]) is { Length: > 0 } svc ? svc : $"{name}-head-svc";
            HeadFqdn = $"{HeadServiceName}.{ns}.svc.{KubeRayConventions.ClusterDomain}";
            AutoscalingEnabled = spec["enableInTreeAutoscaling"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
            FaultToleranceEnabled = spec["gcsFaultToleranceOptions"] is JsonObject || IsTrue(annotations?[KubeRayConventions.FaultToleranceAnnotation]);
        }

        public string Kind { get; }

        public string Name { get; }

        public string Namespace { get; }

        public JsonObject Spec { get; }

        public JsonObject? Annotations { get; }

        public string HeadPort { get; }

        public string HeadServiceName { get; }

        public string HeadFqdn { get; }

        public bool AutoscalingEnabled { get; }

        public bool FaultToleranceEnabled { get; }
    }
}

using System.Security.Cryptography;
using System.Text;
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
        var kind = JsonText.Text(resource["kind"]) ?? string.Empty;
        var metadata = resource["metadata"] as JsonObject;
        var name = JsonText.Text(metadata?["name"]);
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidDataException("metadata.name: a " + kind + " needs a name (KubeRay derives pod names and the ray.io/cluster label from it)");
        }

        var ns = JsonText.Text(metadata?["namespace"]) is { Length: > 0 } n ? n : defaultNamespace;
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

        var context = new RayClusterContext(kind, clusterName, ns, clusterSpec, annotations);
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

    private static RayPodPreview BuildGroupPod(RayClusterContext cluster, JsonObject group, string path, bool isHead)
    {
        var groupName = isHead ? KubeRayConventions.HeadGroupName : JsonText.Text(group["groupName"]);
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
            KubeRayContainers.AddWaitGcsReadyInitContainer(templateSpec, ray, cluster);
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
        if (JsonText.IsTrue(cluster.Annotations?[KubeRayConventions.OverwriteContainerCommandAnnotation]))
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
            var serviceAccount = JsonText.Text(templateSpec["serviceAccountName"]) is { Length: > 0 } sa ? sa : cluster.Name;
            templateSpec["serviceAccountName"] = serviceAccount;
            containers.Add((JsonNode)KubeRayContainers.BuildAutoscalerContainer(JsonText.Text(ray["image"]), cluster.Spec["autoscalerOptions"] as JsonObject));
        }

        KubeRayPodSpec.AddMetricsPort(ray);
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = BuildMetadata(templateMetadata, cluster, nodeType, groupName, isHead, labels, podAnnotations),
            ["spec"] = templateSpec,
        };

        if (!parameters.ContainsKey("plasma-directory"))
        {
            KubeRayPodSpec.AddEmptyDir(templateSpec, ray, KubeRayConventions.SharedMemoryVolume, KubeRayConventions.SharedMemoryPath, memoryMedium: true);
        }

        if (isHead && cluster.AutoscalingEnabled)
        {
            KubeRayPodSpec.AddEmptyDir(templateSpec, ray, KubeRayConventions.LogVolume, KubeRayConventions.LogPath, memoryMedium: false);
            KubeRayPodSpec.AddEmptyDir(templateSpec, (JsonObject)containers[^1]!, KubeRayConventions.LogVolume, KubeRayConventions.LogPath, memoryMedium: false);
        }

        var rayStart = RayStartCommandBuilder.Generate(parameters, isHead, ray["resources"] as JsonObject);
        KubeRayContainers.SetRayContainerCommand(ray, rayStart, podAnnotations);

        if (templateSpec["initContainers"] is JsonArray initContainers)
        {
            foreach (var init in initContainers.OfType<JsonObject>())
            {
                var env = KubeRayContainers.EnvOf(init);
                env.Add(KubeRayContainers.EnvVar("FQ_RAY_IP", cluster.HeadFqdn));
                env.Add(KubeRayContainers.EnvVar("RAY_IP", cluster.HeadServiceName));
            }
        }

        KubeRayContainers.SetRayContainerEnv(ray, cluster, isHead, rayStart);
        KubeRayPodSpec.NormalizeQuantities(templateSpec);
        return new RayPodPreview(cluster.Name, nodeType, groupName, cluster.Namespace, pod);
    }

    private static JsonObject BuildMetadata(JsonObject? templateMetadata, RayClusterContext cluster, string nodeType, string groupName, bool isHead, JsonObject labels, JsonObject annotations)
    {
        // generateName as utils.PodName: prefix cut to 50 characters, lower-cased, "-head-" / "-worker-".
        var prefix = isHead ? cluster.Name : $"{cluster.Name}-{groupName}";
        if (prefix.Length > 50)
        {
            prefix = prefix[..50];
        }

        var metadata = new JsonObject();
        var templateName = JsonText.Text(templateMetadata?["name"]);
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

    /// <summary>utils.CheckLabel: keep the last 63 characters, and no leading punctuation.</summary>
    private static string LabelValue(string value)
    {
        if (value.Length > 63)
        {
            value = value[^63..];
        }

        return value.Length > 0 && char.IsPunctuation(value[0]) ? "r" + value[1..] : value;
    }
}
